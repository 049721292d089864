// The service connects to the embedded PostgreSQL as a role that owns its database and nothing more; the
// superuser only sets that up, also for clusters made when the service connected as the superuser.
import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { connectClient, withDatabaseName } from "./connection";
import { embeddedPostgresFiles } from "./embedded-postgres";
import { migrateDatabase, readMigrations } from "./migrate";
import { embeddedServersForFile, query } from "./testing/embedded-servers";

const { freshDataDir, start } = embeddedServersForFile();

/** Who owns the tables and functions of the public schema: one row per kind and owner. */
const OWNERS = `
  SELECT DISTINCT kind, owner FROM (
    SELECT 'table' AS kind, tableowner AS owner FROM pg_tables WHERE schemaname = 'public'
    UNION ALL
    SELECT 'function', pg_get_userbyid(proowner) FROM pg_proc
    WHERE pronamespace = 'public'::regnamespace
  ) objects ORDER BY kind, owner`;

const migrationCount = (await readMigrations()).length;

describe("the service role", () => {
  test("owns the database and may do nothing more; migrations, triggers and LISTEN/NOTIFY work as it", async () => {
    const dataDir = await freshDataDir();
    const server = await start(dataDir);
    expect(
      await query(
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
    await expect(query(server.url, "CREATE DATABASE elsewhere")).rejects.toThrow(
      "permission denied to create database",
    );
    await expect(query(server.url, "CREATE ROLE other")).rejects.toThrow("permission denied to create role");

    expect((await migrateDatabase(server.url)).applied).toHaveLength(migrationCount);
    expect(await query(server.url, OWNERS)).toEqual([
      { kind: "function", owner: "blocklist" },
      { kind: "table", owner: "blocklist" },
    ]);
    // A change made as the service role reaches a listener of the service role, through the triggers.
    const listener = await connectClient(server.url);
    try {
      await listener.query("LISTEN blocklist_changes");
      const notified = new Promise<string | undefined>((resolve) =>
        listener.once("notification", (message) => resolve(message.payload)),
      );
      await query(
        server.url,
        `INSERT INTO organizations (id, name) VALUES ('org_1', 'Acme');
         INSERT INTO agents (id, organization_id, name) VALUES ('agt_1', 'org_1', 'Front');
         INSERT INTO entries (org_id, agent_id, value) VALUES ('org_1', 'agt_1', '+14155552671')`,
      );
      expect(JSON.parse((await notified) ?? "")).toEqual({
        kind: "entries",
        orgId: "org_1",
        agentId: "agt_1",
      });
    } finally {
      await listener.end();
    }
    await server.stop();
  });

  test("takes over a cluster made when the service connected as the superuser", async () => {
    const dataDir = await freshDataDir();
    // What an older version left: the database and its tables the superuser's, no service role, no password.
    const first = await start(dataDir);
    const asSuperuser = withDatabaseName(first.superuserUrl, "blocklist");
    await query(first.superuserUrl, "ALTER DATABASE blocklist OWNER TO postgres; DROP ROLE blocklist");
    await migrateDatabase(asSuperuser);
    await query(asSuperuser, "INSERT INTO users (id, name) VALUES ('usr_old', 'kept')");
    await first.stop();
    const stateFile = embeddedPostgresFiles.stateFile(dataDir);
    const { service: _dropped, ...older } = JSON.parse(await readFile(stateFile, "utf8"));
    await writeFile(stateFile, JSON.stringify(older), { mode: 0o600 });

    const second = await start(dataDir);
    expect(new URL(second.url).username).toBe("blocklist");
    expect(await query(second.url, OWNERS)).toEqual([
      { kind: "function", owner: "blocklist" },
      { kind: "table", owner: "blocklist" },
    ]);
    expect(await migrateDatabase(second.url)).toEqual({ applied: [] });
    await query(second.url, "INSERT INTO users (id, name) VALUES ('usr_new', 'added')");
    expect(await query(second.url, "SELECT id, name FROM users ORDER BY id")).toEqual([
      { id: "usr_new", name: "added" },
      { id: "usr_old", name: "kept" },
    ]);
    await second.stop();
  });
});
