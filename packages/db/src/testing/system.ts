// What the helpers that run Debian's server programs (PgBouncer, PostgreSQL, HAProxy) need from the machine.
import { access, constants, readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export const LOOPBACK = "127.0.0.1";

/** uid and gid of the `postgres` user, which Debian's postgresql and pgbouncer packages create. */
export async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const line = (await readFile("/etc/passwd", "utf8"))
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error("PostgreSQL and PgBouncer refuse root, and there is no postgres user");
  return { uid: Number(uid), gid: Number(gid) };
}

/** The user to run PostgreSQL and PgBouncer as: `postgres` when we are root (both refuse root), else ourselves. */
export async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  return process.getuid?.() === 0 ? postgresUser() : undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The first of `candidates` that is an executable file, else undefined. */
export async function firstExecutable(candidates: string[]): Promise<string | undefined> {
  for (const candidate of candidates) if (await isExecutable(candidate)) return candidate;
  return undefined;
}

/** `name` from `override` (a path), else on PATH or in the sbin folders Debian installs servers to. */
export async function findProgram(name: string, override: string | undefined): Promise<string | undefined> {
  const searched = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];
  const candidates = override
    ? [override]
    : [...(process.env.PATH ?? "").split(path.delimiter), ...searched]
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
  return firstExecutable(candidates);
}
