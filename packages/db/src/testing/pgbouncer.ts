// A real PgBouncer (Debian's `pgbouncer`) in front of a test PostgreSQL, for the tests of what a pooler in
// transaction mode breaks (LISTEN, session-level advisory locks). A machine without it fails those tests rather
// than skipping them: .ci/run installs it. As root it runs as the `postgres` user (it refuses root), with its
// files in a folder of its own that only that user can read (the auth file holds a password).
import { type ChildProcess, spawn } from "node:child_process";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { connectClient, withDatabaseName } from "../connection";
import { findProgram, freePort, LOOPBACK, serverUser } from "./system";

export interface TestPgBouncer {
  /** `directUrl` (a database on the PostgreSQL it fronts) reached through PgBouncer: same credentials and name. */
  pooled(directUrl: string): string;
  /** Backend pids of PgBouncer's connections to PostgreSQL (its admin console's SHOW SERVERS). */
  serverPids(): Promise<number[]>;
  /** What PgBouncer logged so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  poolMode?: "session" | "transaction" | "statement";
}

const HOST = LOOPBACK;

async function findPgBouncer(): Promise<string> {
  const found = await findProgram("pgbouncer", process.env.PGBOUNCER_PATH);
  if (found) return found;
  throw new Error(
    "pgbouncer not found (looked on PATH and in /usr/sbin; PGBOUNCER_PATH names another): install it with " +
      "`apt-get install -y pgbouncer` (.ci/run does)",
  );
}

/** Starts PgBouncer in front of the PostgreSQL server of `serverUrl`, for every database on it. */
export async function startPgBouncer(
  serverUrl: string,
  options: PgBouncerOptions = {},
): Promise<TestPgBouncer> {
  const binary = await findPgBouncer();
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const owner = await serverUser();
  const dir = await mkdtemp(path.join(os.tmpdir(), "blocklist-pgbouncer-"));
  if (owner) await chown(dir, owner.uid, owner.gid);
  const port = await freePort();
  const files = {
    ini: path.join(dir, "pgbouncer.ini"),
    users: path.join(dir, "userlist.txt"),
  };
  const quoted = (value: string) => `"${value.replace(/"/g, '""')}"`;
  const ini = [
    "[databases]",
    `* = host=${server.hostname} port=${server.port || "5432"}`,
    "[pgbouncer]",
    `listen_addr = ${HOST}`,
    `listen_port = ${port}`,
    `unix_socket_dir = ${dir}`,
    "auth_type = scram-sha-256",
    `auth_file = ${files.users}`,
    `admin_users = ${user}`,
    `pool_mode = ${options.poolMode ?? "transaction"}`,
    "max_client_conn = 500",
    "default_pool_size = 20",
  ].join("\n");
  for (const [file, text] of [
    [files.ini, `${ini}\n`],
    [files.users, `${quoted(user)} ${quoted(password)}\n`],
  ] as const) {
    await writeFile(file, text, { mode: 0o600 });
    if (owner) await chown(file, owner.uid, owner.gid);
  }

  const child: ChildProcess = spawn(binary, [files.ini], {
    ...(owner ?? {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`listening on ${HOST}:${port}`)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", reject);
    void exited.then(() => reject(new Error(`pgbouncer exited before listening:\n${output}`)));
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });

  const pooled = (directUrl: string) => {
    const url = new URL(directUrl);
    url.hostname = HOST;
    url.port = String(port);
    return url.toString();
  };
  let stopped: Promise<void> | undefined;
  return {
    pooled,
    async serverPids() {
      const admin = await connectClient(pooled(withDatabaseName(serverUrl, "pgbouncer")));
      try {
        // The admin console speaks the simple query protocol only: no parameters.
        const { rows } = await admin.query<{ remote_pid: number }>("SHOW SERVERS");
        return rows.map((row) => Number(row.remote_pid));
      } finally {
        await admin.end();
      }
    },
    output: () => output,
    stop() {
      stopped ??= (async () => {
        // SIGTERM: immediate shutdown, whatever clients are still connected.
        if (child.exitCode === null) child.kill("SIGTERM");
        await exited;
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** startPgBouncer() for the test file that awaits it at its top level, stopped after the file's tests. */
export async function pgBouncerForFile(
  serverUrl: string,
  options: PgBouncerOptions = {},
): Promise<TestPgBouncer> {
  const pgBouncer = await startPgBouncer(serverUrl, options);
  afterAll(() => pgBouncer.stop());
  return pgBouncer;
}
