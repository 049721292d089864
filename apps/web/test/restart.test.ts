import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorMessage } from "@blocklist/core";
import { afterAll, describe, expect, it } from "vitest";
import { cliJson } from "./cli";
import { blockListPath, call } from "./http";
import { embeddedDataDirForFile, type RunningServer, startServer } from "./server";

// `pnpm start` with no DATABASE_URL: the server runs its own embedded PostgreSQL in DATA_DIR.
const { dataDir, env } = await embeddedDataDirForFile("restart");
let server: RunningServer | undefined;
afterAll(async () => {
  await server?.stop();
});

/** Whether `pid` is a live process: not gone and not a zombie (a killed child nobody reaped yet). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("the embedded database across restarts", () => {
  it("keeps every number when the server and its database stop and start again", async () => {
    server = await startServer(env);
    // The CLI finds the server's running database in the same DATA_DIR.
    const user = await cliJson(env, "user", "create", "--name", "me");
    const agent = await cliJson(env, "agent", "create", "--uid", String(user.uid), "--name", "main");
    const numbers = Array.from({ length: 50 }, (_, i) => `+1415555${String(6000 + i)}`);
    const added = await call(server.url, "POST", "/api/agent-block-list", {
      key: user.apiKey,
      body: { uid: user.uid, agentId: agent.agentId, numbers },
    });
    expect(added.status).toBe(200);
    const path = blockListPath({ uid: String(user.uid), agentId: String(agent.agentId) });
    const before = await call(server.url, "GET", path, { key: user.apiKey });

    expect(await server.stop("SIGTERM")).toBe(0);
    // A clean shutdown of PostgreSQL removes its pid file.
    expect(existsSync(join(dataDir, "pgdata", "postmaster.pid"))).toBe(false);

    server = await startServer(env);
    const after = await call(server.url, "GET", path, { key: user.apiKey });
    expect(after).toMatchObject({ status: 200, body: { blockList: numbers, count: 50 } });
    expect(after.body).toEqual(before.body);
  });

  it("keeps every number, removal and revocation when the server, then also its PostgreSQL, is killed with SIGKILL", async () => {
    let running = server ?? (await startServer(env));
    const user = await cliJson(env, "user", "create", "--name", "before-kill");
    const agent = await cliJson(env, "agent", "create", "--uid", String(user.uid), "--name", "main");
    const spare = await cliJson(env, "key", "create", "--uid", String(user.uid));
    const changes = { uid: user.uid, agentId: agent.agentId };
    const numbers = Array.from({ length: 50 }, (_, i) => `+1415555${String(7000 + i)}`);
    expect(
      await call(running.url, "POST", "/api/agent-block-list", {
        key: user.apiKey,
        body: { ...changes, numbers },
      }),
    ).toMatchObject({ status: 200, body: { added: numbers, failed: [] } });
    const removed = numbers.slice(0, 10);
    expect(
      await call(running.url, "DELETE", "/api/agent-block-list", {
        key: user.apiKey,
        body: { ...changes, numbers: removed },
      }),
    ).toMatchObject({ status: 200, body: { removed, failed: [] } });
    await cliJson(env, "key", "revoke", "--key-id", String(spare.keyId));
    const path = blockListPath({ uid: String(user.uid), agentId: String(agent.agentId) });
    const stored = { status: 200, body: { blockList: numbers.slice(10), count: 40 } };
    const refused = { status: 401, body: { error: ErrorMessage.invalidKey } };

    /** Reads back, on a server started after the kill, everything answered before it. */
    const readBack = async (after: RunningServer) => {
      const list = await call(after.url, "GET", path, { key: user.apiKey });
      const revoked = await call(after.url, "GET", "/api/organizations", { key: String(spare.apiKey) });
      expect({ status: list.status, body: list.body }).toEqual(stored);
      expect({ status: revoked.status, body: revoked.body }).toEqual(refused);
    };
    await readBack(running);

    // The server alone: the embedded PostgreSQL it started outlives it, and the next server adopts it.
    await running.stop("SIGKILL");
    running = await startServer(env);
    server = running;
    await readBack(running);

    // The server and its PostgreSQL, as a crash of the machine would: PostgreSQL recovers from its WAL.
    const postmaster = Number.parseInt(await readFile(join(dataDir, "pgdata", "postmaster.pid"), "utf8"), 10);
    await running.stop("SIGKILL");
    process.kill(postmaster, "SIGKILL");
    await expect.poll(() => isRunning(postmaster)).toBe(false);
    running = await startServer(env);
    server = running;
    await readBack(running);

    // The last server stops the database it adopted or started again, cleanly.
    expect(await running.stop("SIGTERM")).toBe(0);
    expect(existsSync(join(dataDir, "pgdata", "postmaster.pid"))).toBe(false);
    // Three server starts and four CLI runs, on a machine shared with other test files.
  }, 240_000);
});
