import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, test } from "vitest";
import { embeddedPostgresFiles } from "./embedded-postgres";
import { findRepoRoot, packageDir } from "./paths";
import { embeddedServersForFile, query } from "./testing/embedded-servers";

const { freshDataDir, start } = embeddedServersForFile();
const children: ChildProcess[] = [];

function postmasterPid(dataDir: string): Promise<number> {
  return readFile(path.join(embeddedPostgresFiles.clusterDir(dataDir), "postmaster.pid"), "utf8").then(
    (text) => Number.parseInt(text, 10),
  );
}

/** Gone or a zombie: either way no longer a server. */
function hasExited(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

function parentPid(pid: number): number {
  // /proc/<pid>/stat: pid (comm) state ppid …
  return Number(/^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1]);
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A process that starts the embedded PostgreSQL on dataDir, prints its url and owned, and keeps running. */
function spawnOwner(dataDir: string): ChildProcess {
  const repoRoot = findRepoRoot(packageDir() ?? ".") ?? ".";
  // node itself (not the tsx CLI, which would run the script in a grandchild), with tsx's loader from the root.
  const owner = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "testing", "embedded-postgres-owner.ts"), dataDir],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(owner);
  return owner;
}

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

describe("startEmbeddedPostgres", () => {
  test("initialises the directory once and keeps the data across stop and start", async () => {
    const dataDir = await freshDataDir();
    const first = await start(dataDir);
    expect(first.owned).toBe(true);
    expect(first.url).toMatch(/^postgresql:\/\/blocklist:[0-9a-f]+@127\.0\.0\.1:\d+\/blocklist$/);
    await query(first.url, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
    await first.stop();
    await expect(query(first.url, "SELECT 1")).rejects.toThrow();

    const second = await start(dataDir);
    expect(second.owned).toBe(true);
    expect(await query(second.url, "SELECT note FROM kept")).toEqual([{ note: "still here" }]);
    const state = JSON.parse(await readFile(embeddedPostgresFiles.stateFile(dataDir), "utf8"));
    expect(state).toMatchObject({ user: "postgres", initialized: true });
    expect(second.url).toContain(`:${state.port}/`);
    await second.stop();
  });

  test("shares a server that another caller already runs on the same directory", async () => {
    const dataDir = await freshDataDir();
    const owner = await start(dataDir);
    const guest = await start(dataDir);
    expect([owner.owned, guest.owned]).toEqual([true, false]);
    expect(guest.url).toBe(owner.url);
    await query(guest.url, "CREATE TABLE visited (id int)");
    await guest.stop();
    expect(await query(owner.url, "SELECT count(*)::int AS n FROM visited")).toEqual([{ n: 0 }]);
    await owner.stop();
  });

  test("two callers starting at the same moment share one server", async () => {
    const dataDir = await freshDataDir();
    const [a, b] = await Promise.all([start(dataDir), start(dataDir)]);
    expect([a?.owned, b?.owned].sort()).toEqual([false, true]);
    expect(a?.url).toBe(b?.url);
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test("creates the requested database when it is missing", async () => {
    const dataDir = await freshDataDir();
    const server = await start(dataDir, { database: "elsewhere" });
    expect(await query(server.url, "SELECT current_database() AS name")).toEqual([{ name: "elsewhere" }]);
    await server.stop();
  });

  test("adopts a server that outlived its killed owner, and restarts after the server was killed too", async () => {
    const dataDir = await freshDataDir();
    const owner = spawnOwner(dataDir);
    const [line] = (await once(
      createInterface({ input: owner.stdout as NodeJS.ReadableStream }),
      "line",
    )) as [string];
    const { url, owned } = JSON.parse(line) as { url: string; owned: boolean };
    expect(owned).toBe(true);
    await query(
      url,
      "CREATE TABLE survivors (note text); INSERT INTO survivors VALUES ('written before kill -9')",
    );

    const pid = await postmasterPid(dataDir);
    expect(parentPid(pid)).toBe(owner.pid);
    owner.kill("SIGKILL");
    await once(owner, "exit");
    expect(hasExited(pid)).toBe(false);
    expect(parentPid(pid)).not.toBe(owner.pid);
    // Nobody would ever stop an orphan, so the next process takes it over.
    const orphan = await start(dataDir);
    expect(orphan.owned).toBe(true);
    expect(await query(orphan.url, "SELECT note FROM survivors")).toEqual([
      { note: "written before kill -9" },
    ]);

    expect(await postmasterPid(dataDir)).toBe(pid);
    process.kill(pid, "SIGKILL");
    await waitFor(() => hasExited(pid), "the killed server to exit");
    expect(existsSync(path.join(embeddedPostgresFiles.clusterDir(dataDir), "postmaster.pid"))).toBe(true);

    const restarted = await start(dataDir);
    expect(restarted.owned).toBe(true);
    expect(await query(restarted.url, "SELECT note FROM survivors")).toEqual([
      { note: "written before kill -9" },
    ]);
    await restarted.stop();
  });

  test.skipIf(process.getuid?.() !== 0)(
    "starts although postmaster.pid names a process that is a zombie now",
    async () => {
      const dataDir = await freshDataDir();
      const server = await start(dataDir);
      const pidFile = path.join(embeddedPostgresFiles.clusterDir(dataDir), "postmaster.pid");
      const lockFile = await readFile(pidFile, "utf8");
      await server.stop();

      // A zombie of the postgres user, as a killed server becomes under an init that does not reap: the shell's
      // background child exits, and `exec sleep` never waits for it.
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
      const parent = spawn("/bin/sh", ["-c", "sleep 0.1 & echo $!; exec sleep 60"], { uid, gid });
      children.push(parent);
      const [line] = (await once(createInterface({ input: parent.stdout }), "line")) as [string];
      const zombie = Number.parseInt(line, 10);
      await waitFor(() => hasExited(zombie), "the zombie");
      await writeFile(pidFile, lockFile.replace(/^\d+/, String(zombie)));

      const restarted = await start(dataDir);
      expect(restarted.owned).toBe(true);
      expect(await query(restarted.url, "SELECT 1 AS ok")).toEqual([{ ok: 1 }]);
      await restarted.stop();
      parent.kill("SIGKILL");
    },
  );
});

describe("the passwords", () => {
  interface Holder {
    file: string;
    mode: string;
  }

  /** The superuser's and the service role's passwords, once the state file has them. */
  async function passwordsOf(dataDir: string): Promise<string[]> {
    const state = await readFile(embeddedPostgresFiles.stateFile(dataDir), "utf8").then(
      (text) => JSON.parse(text) as { password?: string; service?: { password?: string } },
      () => ({}) as { password?: string; service?: { password?: string } },
    );
    return [state.password, state.service?.password].filter((password) => password !== undefined);
  }

  /**
   * Files holding one of `secrets`: anywhere in dataDir (but pgdata, unless `cluster`) and at the top of the
   * temporary directory, where embedded-postgres used to put its password file, when changed since `since`.
   */
  async function holders(
    dataDir: string,
    secrets: string[],
    since: number,
    cluster = false,
  ): Promise<Holder[]> {
    if (secrets.length === 0) return [];
    const inData = (await readdir(dataDir, { recursive: true }).catch(() => [] as string[]))
      .filter((entry) => cluster || !entry.startsWith("pgdata"))
      .map((entry) => path.join(dataDir, entry));
    const inTmp = (await readdir(os.tmpdir())).map((entry) => path.join(os.tmpdir(), entry));
    const found: Holder[] = [];
    for (const file of [...inData, ...inTmp]) {
      const info = await stat(file).catch(() => undefined);
      if (
        !info?.isFile() ||
        (file.startsWith(os.tmpdir()) && !file.startsWith(dataDir) && info.mtimeMs < since)
      ) {
        continue;
      }
      const text = await readFile(file, "latin1").catch(() => "");
      if (secrets.some((secret) => text.includes(secret))) {
        found.push({ file, mode: (info.mode & 0o777).toString(8) });
      }
    }
    return found;
  }

  const onlyTheStateFile = (dataDir: string) => [
    { file: embeddedPostgresFiles.stateFile(dataDir), mode: "600" },
  ];

  test("are only ever in files of mode 0600 in dataDir (mode 0700), during initdb and after", async () => {
    const since = Date.now() - 1_000;
    const dataDir = await freshDataDir();
    const seen = new Map<string, Holder>();
    let scansWithPasswords = 0;
    let starting = true;
    const scanning = (async () => {
      while (starting) {
        const passwords = await passwordsOf(dataDir);
        if (passwords.length > 0) scansWithPasswords++;
        for (const holder of await holders(dataDir, passwords, since)) seen.set(holder.file, holder);
      }
    })();
    const server = await start(dataDir).finally(() => {
      starting = false;
    });
    await scanning;
    const passwords = await passwordsOf(dataDir);
    for (const holder of await holders(dataDir, passwords, since, true)) seen.set(holder.file, holder);

    // The state file is written as a temporary file first, of the same mode.
    const stateFile = embeddedPostgresFiles.stateFile(dataDir);
    expect([...seen.values()].filter((holder) => holder.file !== `${stateFile}.tmp`)).toEqual(
      onlyTheStateFile(dataDir),
    );
    expect([...seen.values()].every((holder) => holder.mode === "600")).toBe(true);
    // Both passwords were watched for, and initdb took long enough to be watched many times.
    expect(passwords).toHaveLength(2);
    expect(scansWithPasswords).toBeGreaterThan(5);
    expect(((await stat(dataDir)).mode & 0o777).toString(8)).toBe("700");
    await server.stop();
  });

  test("are left nowhere else when the process is killed during initdb", async () => {
    const since = Date.now() - 1_000;
    const dataDir = await freshDataDir();
    const clusterDir = embeddedPostgresFiles.clusterDir(dataDir);
    const owner = spawnOwner(dataDir);
    await waitFor(() => existsSync(path.join(clusterDir, "PG_VERSION")), "initdb to begin");
    owner.kill("SIGKILL");
    await once(owner, "exit");
    // initdb itself finishes on its own.
    await waitFor(() => initdbProcesses(clusterDir).length === 0, "initdb to end");

    const passwords = await passwordsOf(dataDir);
    expect(passwords).toHaveLength(1);
    expect(await holders(dataDir, passwords, since, true)).toEqual(onlyTheStateFile(dataDir));
  });
});

/** Pids of initdb processes working on clusterDir. */
function initdbProcesses(clusterDir: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(`--pgdata=${clusterDir}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}
