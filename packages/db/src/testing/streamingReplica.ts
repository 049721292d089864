// A primary and a streaming replica on Debian's PostgreSQL (package `postgresql`: initdb, pg_basebackup -R), for
// the tests of reads from a replica and for `pnpm test:scale`. As root both run as the `postgres` user (PostgreSQL
// refuses root), with their files in a folder of their own that only that user can enter.
import { type SpawnOptions, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFile, chown, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connectClient } from "../connection";
import { firstExecutable, freePort, LOOPBACK, serverUser } from "./system";

export interface ClusterServer {
  /** postgresql:// URL of the service's database on this server, as the service role. */
  readonly url: string;
  /** The same server as its superuser (`postgres` database). */
  readonly superuserUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** SIGKILL to the postmaster: the server is gone at once, mid-query (its backends follow it). */
  kill(): Promise<void>;
  /** Starts it again on the same files and port. */
  start(): Promise<void>;
  /** Fast shutdown. */
  stop(): Promise<void>;
}

export interface StreamingCluster {
  primary: ClusterServer;
  replica: ClusterServer;
  /** Stops both servers and deletes their files. */
  destroy(): Promise<void>;
}

export interface StreamingClusterOptions {
  /** Name of the service role and its database; default `blocklist`. */
  database?: string;
  /** Extra postgresql.conf lines for the primary (the replica copies them). */
  settings?: Record<string, string | number>;
  /** Where the files go; default a new folder under the system's temporary folder. */
  parentDir?: string;
}

/** PG_BINDIR, else the newest /usr/lib/postgresql/<major>/bin (Debian's layout). */
async function postgresBinDir(): Promise<string> {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(path.join(process.env.PG_BINDIR, "pg_ctl"));
  const majors = await readdir("/usr/lib/postgresql").catch(() => [] as string[]);
  for (const major of majors.sort((a, b) => Number(b) - Number(a))) {
    candidates.push(path.join("/usr/lib/postgresql", major, "bin", "pg_ctl"));
  }
  const pgCtl = await firstExecutable(candidates);
  if (!pgCtl) {
    throw new Error(
      "PostgreSQL's server programs not found (/usr/lib/postgresql/*/bin; PG_BINDIR names another): install " +
        "them with `apt-get install -y postgresql` (scripts/scale/install.sh does)",
    );
  }
  return path.dirname(pgCtl);
}

/** Runs a program to its end, as `owner` when given; rejects with its output when it fails. */
function run(
  program: string,
  args: string[],
  options: { owner?: { uid: number; gid: number } | undefined; env?: Record<string, string> } = {},
): Promise<string> {
  const spawnOptions: SpawnOptions = {
    ...(options.owner ?? {}),
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // The folder we run in may be closed to the postgres user.
    cwd: "/",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, spawnOptions);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${path.basename(program)} ${args.join(" ")} exited ${code}:\n${output}`)),
    );
  });
}

const conf = (settings: Record<string, string | number>) =>
  Object.entries(settings)
    .map(([name, value]) => `${name} = ${typeof value === "number" ? value : `'${value}'`}`)
    .join("\n");

/**
 * A primary with the service's role and database (not migrated), and a hot standby streaming from it
 * (`pg_basebackup -R`), each on a free port of 127.0.0.1 with scram-sha-256 passwords.
 */
export async function startStreamingCluster(
  options: StreamingClusterOptions = {},
): Promise<StreamingCluster> {
  const bin = await postgresBinDir();
  const owner = await serverUser();
  const root = await mkdtemp(path.join(options.parentDir ?? os.tmpdir(), "blocklist-cluster-"));
  if (owner) await chown(root, owner.uid, owner.gid);
  const database = options.database ?? "blocklist";
  const superPassword = randomBytes(16).toString("hex");
  const servicePassword = randomBytes(16).toString("hex");
  const urlOf = (port: number, user: string, password: string, name: string) =>
    `postgresql://${user}:${password}@${LOOPBACK}:${port}/${name}`;

  const pwfile = path.join(root, "pwfile");
  await writeFile(pwfile, `${superPassword}\n`, { mode: 0o600 });
  if (owner) await chown(pwfile, owner.uid, owner.gid);

  const server = (name: string, port: number): ClusterServer => {
    const dataDir = path.join(root, name);
    const pgCtl = (...args: string[]) =>
      run(path.join(bin, "pg_ctl"), ["-D", dataDir, "-l", path.join(root, `${name}.log`), ...args], {
        owner,
      });
    return {
      url: urlOf(port, database, servicePassword, database),
      superuserUrl: urlOf(port, "postgres", superPassword, "postgres"),
      port,
      dataDir,
      start: async () => {
        await pgCtl("-w", "-t", "60", "start");
      },
      stop: async () => {
        await pgCtl("-w", "-m", "fast", "stop").catch(() => {});
      },
      kill: async () => {
        const pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
        process.kill(pid, "SIGKILL");
        // Gone once signal 0 fails.
        for (;;) {
          try {
            process.kill(pid, 0);
          } catch {
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      },
    };
  };

  const primary = server("primary", await freePort());
  const replica = server("replica", await freePort());
  try {
    await run(
      path.join(bin, "initdb"),
      [
        ...["-D", primary.dataDir, "-U", "postgres", "-E", "UTF8", "--no-sync"],
        "--auth=scram-sha-256",
        `--pwfile=${pwfile}`,
      ],
      { owner },
    );
    await appendFile(
      path.join(primary.dataDir, "postgresql.conf"),
      `\n${conf({
        listen_addresses: LOOPBACK,
        port: primary.port,
        unix_socket_directories: root,
        wal_level: "replica",
        max_wal_senders: 10,
        hot_standby: "on",
        ...options.settings,
      })}\n`,
    );
    await writeFile(
      path.join(primary.dataDir, "pg_hba.conf"),
      [
        "local all all scram-sha-256",
        `host all all ${LOOPBACK}/32 scram-sha-256`,
        `host replication postgres ${LOOPBACK}/32 scram-sha-256`,
      ].join("\n"),
    );
    await primary.start();
    const admin = await connectClient(primary.superuserUrl);
    try {
      await admin.query(`CREATE ROLE ${database} LOGIN PASSWORD '${servicePassword}'`);
      await admin.query(`CREATE DATABASE ${database} OWNER ${database}`);
    } finally {
      await admin.end();
    }
    await run(
      path.join(bin, "pg_basebackup"),
      // A fast checkpoint: the default spread one takes minutes (checkpoint_completion_target).
      [
        ...["-h", LOOPBACK, "-p", String(primary.port), "-U", "postgres", "-D", replica.dataDir],
        ...["-R", "-X", "stream", "--checkpoint=fast", "--no-sync"],
      ],
      { owner, env: { PGPASSWORD: superPassword } },
    );
    await appendFile(path.join(replica.dataDir, "postgresql.conf"), `\nport = ${replica.port}\n`);
    await replica.start();
  } catch (error) {
    await replica.stop();
    await primary.stop();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    primary,
    replica,
    destroy: async () => {
      await replica.stop();
      await primary.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
