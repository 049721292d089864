// SIGTERM while large POSTs are in flight: the server stops taking connections, finishes those requests (200,
// numbers stored), stops its embedded PostgreSQL cleanly and exits 0. A request that never ends is cut off at
// SHUTDOWN_TIMEOUT_MS.
//
// "In flight" is made certain: an admin transaction holds one number that every POST contains, so each POST's
// statement waits halfway until the test releases it, after the signal.
import { existsSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { createPrismaClient } from "@blocklist/db";
import { startEmbeddedPostgres } from "@blocklist/db/lifecycle";
import { createTestDatabase } from "@blocklist/db/testing";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type Answer, blockListPath, call } from "./http";
import { testNumber } from "./numbers";
import { embeddedDataDirForFile, type RunningServer, startServer } from "./server";

const REQUESTS = 4;
const NUMBERS_PER_REQUEST = 5_000;

const { dataDir, env } = await embeddedDataDirForFile("shutdown");
// Every server a test starts is stopped at the end, even one a later test no longer names (one was left running).
const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((running) => running.stop()));
});

/** Whether a new TCP connection to `url` is refused. */
function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({
      host: hostname === "localhost" ? "127.0.0.1" : hostname,
      port: Number(port),
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

describe("SIGTERM", () => {
  it("finishes in-flight requests, refuses new connections, stops PostgreSQL cleanly and exits 0", async () => {
    const running = await startServer(env);
    servers.push(running);
    // A guest connection to the server's embedded PostgreSQL (the way the CLI connects while the server runs).
    const { url } = await startEmbeddedPostgres({ dataDir });
    const prisma = createPrismaClient(url);
    const alice: Tenant = await createTenant(prisma, "alice");
    await prisma.$disconnect();

    const shared = testNumber(99_999);
    const batches = Array.from({ length: REQUESTS }, (_, r) => [
      ...Array.from({ length: NUMBERS_PER_REQUEST }, (_, i) => testNumber(r * NUMBERS_PER_REQUEST + i)),
      shared,
    ]);
    const holder = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await holder.connect();
    await watcher.connect();
    let answers: Answer[];
    try {
      await holder.query("BEGIN");
      await holder.query("INSERT INTO entries (org_id, agent_id, value) VALUES ($1, $2, $3)", [
        alice.orgId,
        alice.agentId,
        shared,
      ]);
      const inFlight = batches.map((numbers) =>
        call(running.url, "POST", "/api/agent-block-list", {
          key: alice.apiKey,
          body: { uid: alice.uid, agentId: alice.agentId, numbers },
        }),
      );
      await expect
        .poll(
          async () =>
            (
              await watcher.query(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO entries%'",
              )
            ).rowCount,
          { timeout: 60_000, interval: 100 },
        )
        .toBe(REQUESTS);

      running.process.kill("SIGTERM");
      await expect.poll(() => running.output(), { timeout: 30_000 }).toContain("SIGTERM received");
      await expect.poll(() => refusesConnections(running.url), { timeout: 30_000 }).toBe(true);

      await holder.query("ROLLBACK");
      answers = await Promise.all(inFlight);
    } finally {
      await holder.end();
      await watcher.end();
    }

    for (const [index, answer] of answers.entries()) {
      const body = answer.body as { added: string[]; failed: { number: string; reason: string }[] };
      expect(answer.status).toBe(200);
      expect(body.added.length + body.failed.length).toBe(NUMBERS_PER_REQUEST + 1);
      expect(body.added).toEqual(expect.arrayContaining(batches[index]?.slice(0, NUMBERS_PER_REQUEST) ?? []));
    }
    // The shared number went to exactly one of them.
    expect(
      answers.filter((answer) => (answer.body as { added: string[] }).added.includes(shared)),
    ).toHaveLength(1);

    expect(await running.stop()).toBe(0);
    expect(existsSync(join(dataDir, "pgdata", "postmaster.pid"))).toBe(false);
    expect(running.output()).toContain('"msg":"Stopped"');

    // Everything those requests reported is there after a restart.
    const server = await startServer(env);
    servers.push(server);
    const list = await call(server.url, "GET", blockListPath({ uid: alice.uid, agentId: alice.agentId }), {
      key: alice.apiKey,
    });
    expect(list.body).toMatchObject({ count: REQUESTS * NUMBERS_PER_REQUEST + 1 });
    console.info(
      `shutdown: SIGTERM with ${REQUESTS} POSTs of ${NUMBERS_PER_REQUEST + 1} numbers in flight: all 200, ` +
        `${REQUESTS * NUMBERS_PER_REQUEST + 1} numbers stored after restart, exit 0, no postmaster.pid`,
    );
  }, 180_000); // two server starts, 20,000 numbers and a clean PostgreSQL stop: minutes on a busy machine

  it("closes a request that never ends once SHUTDOWN_TIMEOUT_MS has passed, then exits 0", async () => {
    const database = await createTestDatabase();
    try {
      const tenant = await createTenant(database.prisma, "stalled");
      const running = await startServer({ DATABASE_URL: database.url, SHUTDOWN_TIMEOUT_MS: "1000" });
      servers.push(running);
      const upload = await startStalledUpload(running.url, tenant.apiKey);

      running.process.kill("SIGTERM");
      await upload.closed;
      expect(await running.stop()).toBe(0);
      const output = running.output();
      expect(output).toContain("Shutdown deadline passed");
      expect(output.indexOf("Shutdown deadline passed")).toBeLessThan(output.indexOf('"msg":"Stopped"'));
    } finally {
      await database.drop();
    }
  });
});

/**
 * A POST whose body never comes: the server has taken it (it answered `Expect: 100-continue`, which Node does
 * once the request is dispatched), then the client sends a few bytes of the 100 promised and stalls.
 */
async function startStalledUpload(url: string, key: string): Promise<{ closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname === "localhost" ? "127.0.0.1" : hostname, port: Number(port) });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => {
      socket.write(
        "POST /api/agent-block-list HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
          `X-Authorization: ${key}\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`,
      );
    });
    socket.once("data", (chunk) => {
      if (chunk.toString().startsWith("HTTP/1.1 100 Continue")) resolve();
      else reject(new Error(`expected 100 Continue, got ${chunk.toString()}`));
    });
    socket.once("error", reject);
  });
  socket.write('{"uid":');
  return { closed };
}
