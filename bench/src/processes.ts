// The servers under test (the service and the two references), each a process of its own whose pid the
// memory sampler can read.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = path.join(benchDir, "..");
const webDir = path.join(repoDir, "apps", "web");
const LISTENING = /listening on http:\/\/localhost:(\d+)/;

export interface ServerProcess {
  name: string;
  /** http://127.0.0.1:port */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ServerSettings {
  databaseUrl: string;
  poolMax: number;
  /** The server's stdout and stderr go here. */
  logFile: string;
}

/** Bearer token of the service's GET /api/metrics, from which the benchmark reads what its check cache holds. */
export const SERVICE_METRICS_TOKEN = "bench-metrics-token-of-no-value";

/** The production server exactly as `pnpm start` runs it (the compiled apps/web/dist/server.mjs). */
export async function startServiceServer(settings: ServerSettings): Promise<ServerProcess> {
  if (!existsSync(path.join(webDir, "dist", "server.mjs"))) {
    throw new Error("apps/web is not built: run `pnpm build` first (`pnpm bench` does)");
  }
  return startProcess("service", webDir, ["dist/server.mjs"], settings, {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    // Not what is measured here; a rate limit would only turn load into 429s.
    RATE_LIMIT_REQUESTS: "0",
    METRICS_TOKEN: SERVICE_METRICS_TOKEN,
    // As `pnpm start` runs the service (scripts/start.sh).
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2",
  });
}

/** The node:http + pg baseline (src/baseline/server.ts). */
export function startBaselineServer(settings: ServerSettings): Promise<ServerProcess> {
  return startReferenceServer("baseline", "server.ts", settings);
}

/** The all-in-memory reference for `check` (src/baseline/memory-server.ts). */
export function startMemoryServer(settings: ServerSettings): Promise<ServerProcess> {
  return startReferenceServer("all-in-memory", "memory-server.ts", settings);
}

function startReferenceServer(name: string, file: string, settings: ServerSettings): Promise<ServerProcess> {
  return startProcess(name, benchDir, ["--import", "tsx", path.join("src", "baseline", file)], settings, {});
}

async function startProcess(
  name: string,
  cwd: string,
  nodeArguments: string[],
  settings: ServerSettings,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const log = await open(settings.logFile, "a");
  // node itself (with tsx's loader for TypeScript, not the tsx CLI, which would run the server in a
  // grandchild): child.pid is the server itself.
  const child = spawn(process.execPath, nodeArguments, {
    cwd,
    env: {
      ...process.env,
      ...env,
      DATABASE_URL: settings.databaseUrl,
      DATABASE_POOL_MAX: String(settings.poolMax),
      PORT: "0",
    },
    stdio: ["ignore", log.fd, log.fd],
  });
  await log.close();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const port = await waitForPort(child, settings.logFile);
    return {
      name,
      url: `http://127.0.0.1:${port}`,
      pid: child.pid as number,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}

async function waitForPort(child: ChildProcess, logFile: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const output = await readFile(logFile, "utf8");
    const port = LISTENING.exec(output)?.[1];
    if (port) return port;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited before listening; its output (${logFile}):\n${output.slice(-4000)}`);
    }
    if (Date.now() > deadline) throw new Error(`server did not listen within 120 s (${logFile})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
