import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter, once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { createPrismaClient, type PrismaClient } from "@blocklist/db";
import { startTestPostgres, type TestPostgres, testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll } from "vitest";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
// Like expect.poll's timeout in vitest.config.ts: far beyond a busy machine's delays.
const UNTIL_OUTPUT_GIVE_UP_MS = 15_000;
const LISTENING = /listening on (http:\/\/localhost:\d+)/;

export interface RunningServer {
  url: string;
  process: ChildProcess;
  /** Everything the server printed so far, stdout and stderr. */
  output(): string;
  /**
   * Resolves once what the server printed satisfies `printed`, tested now and on every new chunk; rejects if the
   * server exits first, or after `giveUpMs` (only a bound on a failure, so that it is reported in seconds).
   */
  untilOutput(printed: (output: string) => boolean, giveUpMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the production server (dist/server.mjs and the built Next app) exactly as `pnpm start` does, on a free
 * port, and resolves once it listens. `env` adds to (or, with undefined, removes from) the test's environment.
 */
export async function startServer(env: Record<string, string | undefined>): Promise<RunningServer> {
  // The compiled server (`pnpm build`), run by node itself as `pnpm start` does, so that signals sent to
  // `process` reach the server.
  const child = spawn(process.execPath, ["dist/server.mjs"], {
    cwd: webDir,
    env: { ...process.env, ...env, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const chunks = new EventEmitter();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      chunks.emit("chunk");
      const match = LISTENING.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });

  return {
    url,
    process: child,
    output: () => output,
    async untilOutput(printed, giveUpMs = UNTIL_OUTPUT_GIVE_UP_MS) {
      const gone = exited.then((code) => `server exited with ${code} before printing what was awaited`);
      const giveUp = AbortSignal.timeout(giveUpMs);
      while (!printed(output)) {
        const chunk = once(chunks, "chunk", { signal: giveUp }).then(
          () => undefined,
          () => `nothing awaited printed within ${giveUpMs} ms`,
        );
        const failure = await Promise.race([chunk, gone]);
        if (failure !== undefined && !printed(output)) throw new Error(`${failure}:\n${output}`);
      }
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface ServerOnTestDatabase {
  /** A client on the server's database, for setting up and checking what is stored. */
  db: PrismaClient;
  databaseUrl: string;
  server: RunningServer;
}

/**
 * For a test file, awaited at its top level: a fresh test database and the production server on it (with `env`
 * added), both gone after the file's tests.
 */
export async function serverForFile(env: Record<string, string> = {}): Promise<ServerOnTestDatabase> {
  const database = await testDatabaseForFile();
  const server = await startServer({ DATABASE_URL: database.url, ...env });
  afterAll(async () => {
    await server.stop();
  });
  return { db: database.prisma, databaseUrl: database.url, server };
}

export interface EmbeddedDataDir {
  dataDir: string;
  /** Points a server or the CLI at `dataDir`, where the server runs its embedded PostgreSQL (`pnpm start`). */
  env: { DATA_DIR: string; DATABASE_URL: string };
}

/**
 * For a test file, awaited at its top level: an empty DATA_DIR, deleted after the file's tests (register the
 * servers' stop after this call, so that they stop first).
 */
export async function embeddedDataDirForFile(name: string): Promise<EmbeddedDataDir> {
  const dataDir = await mkdtemp(join(tmpdir(), `blocklist-${name}-`));
  afterAll(() => rm(dataDir, { recursive: true, force: true }));
  return { dataDir, env: { DATA_DIR: dataDir, DATABASE_URL: "" } };
}

export interface ServerOnOwnPostgres {
  /** The server's own PostgreSQL, which the test may stop and start. */
  postgres: TestPostgres;
  server: RunningServer;
  /** A user with an agent and keys, made before the server started. */
  alice: Tenant;
}

/**
 * For a test file that stops or breaks the database, awaited at its top level: the production server on a
 * PostgreSQL of its own, with a quick connect timeout so that requests meet a stopped database fast, and one
 * tenant in it (`env` adds settings); the server stops and its PostgreSQL is destroyed after the file's tests.
 */
export async function serverOnOwnPostgresForFile(
  connectTimeoutMs = 1000,
  env: Record<string, string> = {},
): Promise<ServerOnOwnPostgres> {
  const postgres = await startTestPostgres();
  afterAll(() => postgres.destroy());
  const prisma = createPrismaClient(postgres.url);
  const alice = await createTenant(prisma, "alice");
  await prisma.$disconnect();
  const server = await startServer({
    DATABASE_URL: postgres.url,
    DATABASE_CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
    ...env,
  });
  afterAll(async () => {
    await server.stop();
  });
  return { postgres, server, alice };
}

export interface TwoInstances {
  postgres: TestPostgres;
  /** A client of the shared database, standing for the CLI or an operator's SQL. */
  prisma: PrismaClient;
  a: RunningServer;
  b: RunningServer;
}

/**
 * For a test file about several instances, awaited at its top level: two production servers on one PostgreSQL of
 * their own, with `env`; both stop, the client disconnects and the PostgreSQL is destroyed after the file's tests.
 */
export async function twoInstancesForFile(env: Record<string, string>): Promise<TwoInstances> {
  const postgres = await startTestPostgres();
  const prisma = createPrismaClient(postgres.url);
  const [a, b] = await Promise.all([
    startServer({ DATABASE_URL: postgres.url, ...env }),
    startServer({ DATABASE_URL: postgres.url, ...env }),
  ]);
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await prisma.$disconnect();
    await postgres.destroy();
  });
  return { postgres, prisma, a, b };
}
