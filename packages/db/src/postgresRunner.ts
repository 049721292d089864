// Who PostgreSQL's programs run as. PostgreSQL refuses to run as root, so as root they run
//   - in a user namespace (util-linux `unshare`) that maps root to nobody: PostgreSQL sees a uid that is not 0,
//     while the kernel still checks file access as root, the owner of the clone and of DATA_DIR. No other user
//     has to enter root's folders, nothing is chowned, and the programs keep no capability at all;
//   - where user namespaces are not allowed (Docker's default seccomp profile), as the OS user `postgres`
//     (created when missing), which works only where every folder above the programs and DATA_DIR lets it in.
// Why this order: docs/DECISIONS.md, "The embedded PostgreSQL as root".
import { execFile } from "node:child_process";
import { chmod, lchown, mkdir, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { EmbeddedPostgresError } from "./connection";
import { failureReason } from "./postgresPrograms";

const execFileAsync = promisify(execFile);

export type PostgresProgram = "initdb" | "postgres";

export interface SpawnCommand {
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
