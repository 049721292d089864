// The service connects to the embedded PostgreSQL as a role that owns its database and nothing more; the
// superuser only sets that up, also for clusters made when the service connected as the superuser.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { connectClient, withDatabaseName } from "./connection";
import {
  type EmbeddedPostgresServer,
  embeddedPostgresFiles,
  startEmbeddedPostgres,
} from "./embedded-postgres";
import { migrateDatabase, readMigrations } from "./migrate";

const dataDirs: string[] = [];
const servers: EmbeddedPostgresServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function start(dataDir: string): Promise<EmbeddedPostgresServer> {
  const server = await startEmbeddedPostgres({ dataDir, settings: { fsync: "off" } });
  servers.push(server);
  return server;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectClient(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const rows = (url: string, sql: string) => withClient(url, async (client) => (await client.query(sql)).rows);

/** Who owns what in the public schema, as `kind owner` lines with a count. */
const OWNERS = `
  SELECT kind, owner, count(*)::int AS n FROM (
    SELECT 'table' AS kind, tableowner AS owner FROM pg_tables WHERE schemaname = 'public'
    UNION ALL
    SELECT 'function', pg_get_userbyid(proowner) FROM pg_proc
    WHERE pronamespace = 'public'::regnamespace
  ) objects GROUP BY kind, owner ORDER BY kind, owner`;

const migrationCount = (await readMigrations()).length;

describe("the service role", () => {
  test("owns the database and may do nothing more; migrations, triggers and LISTEN/NOTIFY work as it", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-service-role-"));
    dataDirs.push(dataDir);
    const server = await start(dataDir);
    expect(
      await rows(
        server.url,
        `SELECT current_user AS role, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
           (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) AS "databaseOwner"
         FROM pg_roles WHERE rolname = current_user`,
      ),
    ).toEqual([
      {
        role: "blocklist",
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
        databaseOwner: "blocklist",
      },
    ]);
    await expect(rows(server.url, "CREATE DATABASE elsewhere")).rejects.toThrow(
      "permission denied to create database",
    );
    await expect(rows(server.url, "CREATE ROLE other")).rejects.toThrow("permission denied to create role");

    expect((await migrateDatabase(server.url)).applied).toHaveLength(migrationCount);
    expect(await rows(server.url, OWNERS)).toEqual([
      { kind: "function", owner: "blocklist", n: 8 },
      { kind: "table", owner: "blocklist", n: 8 },
    ]);
    // A change made as the service role reaches a listener of the service role, through the triggers.
    await withClient(server.url, async (listener) => {
      await listener.query("LISTEN blocklist_changes");
      const notified = new Promise<string | undefined>((resolve) =>
        listener.once("notification", (message) => resolve(message.payload)),
      );
      await rows(
        server.url,
        `INSERT INTO organizations (id, name) VALUES ('org_1', 'Acme');
         INSERT INTO agents (id, organization_id, name) VALUES ('agt_1', 'org_1', 'Front');
         INSERT INTO blocked_numbers (agent_id, e164) VALUES ('agt_1', '+14155552671')`,
      );
      expect(JSON.parse((await notified) ?? "")).toEqual({
        kind: "numbers",
        agentId: "agt_1",
        added: ["+14155552671"],
      });
    });
    await server.stop();
  });

  test("takes over a cluster made when the service connected as the superuser", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-service-role-"));
    dataDirs.push(dataDir);
    // What an older version left: the database and its tables the superuser's, no service role, no password.
    const first = await start(dataDir);
    const asSuperuser = withDatabaseName(first.superuserUrl, "blocklist");
    await rows(first.superuserUrl, "ALTER DATABASE blocklist OWNER TO postgres; DROP ROLE blocklist");
    await migrateDatabase(asSuperuser);
    await rows(asSuperuser, "INSERT INTO users (id, name) VALUES ('usr_old', 'kept')");
    await first.stop();
    const stateFile = embeddedPostgresFiles.stateFile(dataDir);
    const { service: _dropped, ...older } = JSON.parse(await readFile(stateFile, "utf8"));
    await writeFile(stateFile, JSON.stringify(older), { mode: 0o600 });

    const second = await start(dataDir);
    expect(new URL(second.url).username).toBe("blocklist");
    expect(await rows(second.url, OWNERS)).toEqual([
      { kind: "function", owner: "blocklist", n: 8 },
      { kind: "table", owner: "blocklist", n: 8 },
    ]);
    expect(await migrateDatabase(second.url)).toEqual({ applied: [] });
    await rows(second.url, "INSERT INTO users (id, name) VALUES ('usr_new', 'added')");
    expect(await rows(second.url, "SELECT id, name FROM users ORDER BY id")).toEqual([
      { id: "usr_new", name: "added" },
      { id: "usr_old", name: "kept" },
    ]);
    await second.stop();
  });
});
