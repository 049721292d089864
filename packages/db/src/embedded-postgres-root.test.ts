// As root, PostgreSQL must run as someone else, yet reach programs and data in folders only root may enter (a
// clone under /root, a mktemp -d folder), without any folder's permissions being loosened.
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, readlink, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { EmbeddedPostgresError, withDatabaseName } from "./connection";
import { embeddedPostgresFiles } from "./embedded-postgres";
import { bundledInstallDir, initCluster, readPostmasterPid, startPostgres } from "./postgresPrograms";
import { osUserRunner } from "./postgresRunner";
import { embeddedServersForFile, query } from "./testing/embedded-servers";

const asRoot = process.getuid?.() === 0;
const { freshDataDir: privateFolder, start } = embeddedServersForFile();
const postmasters: number[] = [];

async function stopPostmaster(pid: number): Promise<void> {
  process.kill(pid, "SIGINT");
  while (existsSync(`/proc/${pid}`)) await new Promise((resolve) => setTimeout(resolve, 25));
}

afterAll(async () => {
  for (const pid of postmasters) if (existsSync(`/proc/${pid}`)) await stopPostmaster(pid);
});

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const modeOf = async (file: string) => ((await stat(file)).mode & 0o777).toString(8);

describe.skipIf(!asRoot)("as root", () => {
  test("runs PostgreSQL from a copy of its programs and on a data directory inside a folder only root may enter", async () => {
    const folder = await privateFolder();
    const installDir = path.join(folder, "postgres");
    await cp(bundledInstallDir(), installDir, { recursive: true, verbatimSymlinks: true });
    const dataDir = path.join(folder, "data");

    const server = await start(dataDir, { installDir });
    expect(server.owned).toBe(true);
    expect(await query(server.url, "SELECT current_user AS role, 6 * 7 AS answer")).toEqual([
      { role: "blocklist", answer: 42 },
    ]);
    // The server is that copy, and no folder was opened up for it.
    const postmaster = await readPostmasterPid(embeddedPostgresFiles.clusterDir(dataDir));
    expect(await readlink(`/proc/${postmaster?.pid}/exe`)).toBe(path.join(installDir, "bin", "postgres"));
    expect([await modeOf(folder), await modeOf(dataDir)]).toEqual(["700", "700"]);
    await server.stop();
  });

  describe("where user namespaces are not available, as the postgres user", () => {
    test("runs initdb and the server when every folder on the way lets that user in; the cluster is root's again where user namespaces work", async () => {
      // This test's own folder, opened for the test, with its own copy of the programs (the clone's may be
      // in a private folder).
      const folder = await privateFolder();
      await chmod(folder, 0o755);
      const installDir = path.join(folder, "postgres");
      await cp(bundledInstallDir(), installDir, { recursive: true, verbatimSymlinks: true });
      const dataDir = path.join(folder, "data");
      await mkdir(dataDir, { mode: 0o700 });
      const runner = await osUserRunner(installDir, dataDir, "test");
      const clusterDir = path.join(dataDir, "pgdata");
      const logFile = path.join(dataDir, "postgres.log");
      await runner.prepareCluster(dataDir, clusterDir);
      await initCluster(runner, { clusterDir, user: "postgres", password: "pw-of-test", logFile });

      const port = await freePort();
      const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "" };
      const started = await startPostgres(runner, { clusterDir, port, settings, logFile, timeoutMs: 60_000 });
      if (!started.ready) throw new Error(started.output);
      postmasters.push(started.pid);
      const url = `postgresql://postgres:pw-of-test@127.0.0.1:${port}/postgres`;
      expect(await query(url, "SELECT 6 * 7 AS answer")).toEqual([{ answer: 42 }]);
      expect((await stat(`/proc/${started.pid}`)).uid).toBe((await stat(clusterDir)).uid);
      expect((await stat(clusterDir)).uid).not.toBe(0);
      await query(url, "CREATE DATABASE blocklist");
      await query(
        withDatabaseName(url, "blocklist"),
        "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('hi')",
      );
      await stopPostmaster(started.pid);

      // That is a DATA_DIR as older versions left it, as root: where user namespaces work, it becomes root's.
      const stateFile = embeddedPostgresFiles.stateFile(dataDir);
      await writeFile(
        stateFile,
        JSON.stringify({ user: "postgres", password: "pw-of-test", initialized: true }),
      );
      const server = await start(dataDir, { installDir });
      expect(await query(server.url, "SELECT note FROM kept")).toEqual([{ note: "hi" }]);
      expect((await stat(clusterDir)).uid).toBe(0);
      expect((await stat(path.join(clusterDir, "PG_VERSION"))).uid).toBe(0);
      await server.stop();
    });

    test("refuses in one line that names the folder it cannot enter", async () => {
      const folder = await privateFolder();
      const dataDir = path.join(folder, "data");
      await mkdir(dataDir);
      // Programs where anyone may enter (/usr/bin), wherever this clone is: only the data folder is closed.
      const refusal = await osUserRunner("/usr", dataDir, "unshare: denied").catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(EmbeddedPostgresError);
      expect((refusal as Error).message).toBe(
        "PostgreSQL refuses to run as root, user namespaces are not available here (unshare: denied), and " +
          `the postgres user cannot enter ${folder} (mode 0700, owner uid 0): run as a non-root user, put the ` +
          "clone and DATA_DIR where other users may enter, or set DATABASE_URL",
      );
      expect(await modeOf(folder)).toBe("700");
    });
  });
});
