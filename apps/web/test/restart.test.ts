import { existsSync } from "node:fs";
import { join } from "node:path";
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

  it("starts again after the server was killed with SIGKILL", async () => {
    const running = server ?? (await startServer(env));
    await running.stop("SIGKILL");
    server = await startServer(env);
    const user = await cliJson(env, "user", "create", "--name", "after-kill");
    const answer = await call(server.url, "GET", "/api/organizations", { key: user.apiKey });
    expect(answer.status).toBe(200);

    // The new server adopted the database its killed predecessor left running, and stops it too.
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(existsSync(join(dataDir, "pgdata", "postmaster.pid"))).toBe(false);
  });
});
