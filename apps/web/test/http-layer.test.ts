// The HTTP layer in-process (server/app.ts, without Next.js): one JSON log line per request with what it did,
// request ids, 500s without internals, probe lines at debug level, and the request metrics. Real routes on a real
// database; a stand-in for Next.js's page handler.
import { Writable } from "node:stream";
import { createAgent } from "@blocklist/api";
import { createLogger } from "@blocklist/api/observability/server";
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage, FailureReason } from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { httpLayerForFile } from "./httpLayer";

const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");

// Every line the logger writes, parsed.
let lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
    done();
  },
});
const logger = createLogger({ level: "debug", format: "json", destination: sink });

const { baseUrl, metrics } = await httpLayerForFile(db, {
  observe: { logger, routeOf: () => undefined, quietRoutes: new Set(["/api/health"]) },
  // A stand-in for Next.js: one page that crashes, every other path unknown.
  pages: async (request, response) => {
    if (request.url === "/crash") throw new Error("page crashed", { cause: new Error("connection refused") });
    response.statusCode = 404;
    response.end("not found");
  },
});
beforeEach(() => {
  lines = [];
});

/** The log lines once `count` have been written (a line is written when the answer is complete). */
async function logLines(count: number): Promise<Record<string, unknown>[]> {
  await expect.poll(() => lines.length).toBeGreaterThanOrEqual(count);
  return lines;
}

describe("the request log", () => {
  it("writes one JSON line per request with id, route, status, duration, key prefix and counts", async () => {
    const numbers = ["+14155552671", "+1 415 555 2671", "+14155552672", "not a number"];
    const response = await fetch(`${baseUrl}/api/agent-block-list`, {
      method: "POST",
      headers: {
        "X-Request-Id": "req-123",
        "X-Authorization": alice.apiKey,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ uid: alice.uid, agentId: alice.agentId, numbers }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-123");

    const [line, ...more] = await logLines(1);
    expect(more).toEqual([]);
    expect(line).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      service: "blocklist",
      pid: process.pid,
      requestId: "req-123",
      method: "POST",
      route: "/api/agent-block-list",
      path: "/api/agent-block-list",
      status: 200,
      durationMs: expect.any(Number),
      keyId: alice.caller.keyId,
      keyPrefix: alice.apiKey.slice(0, 9),
      numbers: {
        sent: 4,
        added: 2,
        failed: 2,
        failedReasons: { [FailureReason.duplicateInRequest]: 1, [FailureReason.invalidFormat]: 1 },
      },
      msg: expect.stringMatching(/^POST \/api\/agent-block-list 200 in [\d.]+ ms$/),
    });
    expect(JSON.stringify(line)).not.toContain(alice.apiKey);
  });

  it("notes the prefix of a well-formed key that is refused, and nothing of anything else", async () => {
    const query = `uid=${alice.uid}&agentId=${alice.agentId}`;
    await fetch(`${baseUrl}/api/agent-block-list?${query}`, {
      headers: { "X-Authorization": "bl_0000000000000000000000000000000Z" },
    });
    await fetch(`${baseUrl}/api/agent-block-list?${query}`, {
      headers: { "X-Authorization": "Bearer some-other-secret" },
    });
    const [refused, pasted] = await logLines(2);
    expect(refused).toMatchObject({ status: 401, keyPrefix: "bl_000000" });
    expect(refused?.keyId).toBeUndefined();
    expect(pasted).toMatchObject({ status: 401 });
    expect(pasted?.keyPrefix).toBeUndefined();
  });

  it("makes up a request id when the caller sends none or an unusable one, and counts checks", async () => {
    const input = encodeURIComponent(JSON.stringify({ agentId: alice.agentId, number: "+14155552671" }));
    const check = (headers: Record<string, string>) =>
      fetch(`${baseUrl}/api/trpc/blockList.check?input=${input}`, {
        headers: { "X-Authorization": alice.apiKey, ...headers },
      });
    const plain = await check({});
    const odd = await check({ "X-Request-Id": "has spaces and \u00e9" });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(plain.headers.get("x-request-id")).toMatch(uuid);
    expect(odd.headers.get("x-request-id")).toMatch(uuid);
    const logged = await logLines(2);
    expect(logged.map((line) => line.requestId).sort()).toEqual(
      [plain.headers.get("x-request-id"), odd.headers.get("x-request-id")].sort(),
    );
    expect(logged[0]).toMatchObject({
      route: "/api/trpc/blockList.check",
      checks: { calls: 1, blocked: 1, invalidNumber: 0 },
    });
  });

  it("answers 500 without internals when a handler throws, and logs the error once with its cause", async () => {
    const response = await fetch(`${baseUrl}/crash`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: ErrorMessage.internal });
    const logged = await logLines(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: "error",
      status: 500,
      route: "(unmatched)",
      err: { type: "Error", message: "page crashed", cause: { message: "connection refused" } },
    });
  });

  it("logs probes at debug level, and labels unknown paths with one route", async () => {
    await fetch(`${baseUrl}/api/health`);
    await fetch(`${baseUrl}/no/such/page/${Math.random()}`);
    await fetch(`${baseUrl}/api/no/such/route/${Math.random()}`);
    const logged = await logLines(3);
    expect(logged.map((line) => [line.level, line.route, line.status])).toEqual([
      ["debug", "/api/health", 200],
      ["info", "(unmatched)", 404],
      ["info", "(unmatched)", 404],
    ]);
  });
});

describe("the request metrics", () => {
  it("count requests, numbers and checks", async () => {
    const sample = async (
      metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> },
      labels: Record<string, string>,
    ) =>
      (await metric.get()).values.find((value) =>
        Object.entries(labels).every(([name, label]) => value.labels[name] === label),
      )?.value ?? 0;
    const counts = async () => ({
      requests: await sample(metrics.httpRequests, {
        route: "/api/agent-block-list",
        method: "POST",
        status: "200",
      }),
      failed: await sample(metrics.numbersFailed, {
        operation: "add",
        reason: FailureReason.invalidFormat,
      }),
      added: await sample(metrics.numbersAdded, {}),
    });
    const before = await counts();

    for (const number of ["+14155550101", "+14155550102"]) {
      await fetch(`${baseUrl}/api/agent-block-list`, {
        method: "POST",
        headers: { "X-Authorization": alice.apiKey, "Content-Type": "application/json" },
        body: JSON.stringify({ uid: alice.uid, agentId: alice.agentId, numbers: [number, "nope"] }),
      });
    }
    await logLines(2);

    expect(await counts()).toEqual({
      requests: before.requests + 2,
      failed: before.failed + 2,
      added: before.added + 2,
    });
    expect(await metrics.httpRequestsInFlight.get()).toMatchObject({ values: [{ value: 0 }] });
  });
});

describe("a whole list", () => {
  it("streams out in one JSON answer, oldest first, whatever its size", async () => {
    const { agentId } = await createAgent(db, { uid: alice.uid, name: "big" });
    // More numbers than one read of the stream holds (20,000), so that it takes several.
    const numbers = Array.from({ length: 45_000 }, (_, index) => `+1415${String(2000000 + index)}`);
    await db.$executeRaw`INSERT INTO entries (org_id, agent_id, value) SELECT organization_id, id, unnest(${numbers}::text[]) FROM agents WHERE id = ${agentId}`;
    const response = await fetch(`${baseUrl}/api/agent-block-list?uid=${alice.uid}&agentId=${agentId}`, {
      headers: { "X-Authorization": alice.apiKey },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ blockList: numbers, count: numbers.length });
  });

  it("through tRPC answers at most 10,000 numbers, then pages on", async () => {
    const { agentId } = await createAgent(db, { uid: alice.uid, name: "paged" });
    const numbers = Array.from({ length: 10_001 }, (_, index) => `+1415${String(3000000 + index)}`);
    await db.$executeRaw`INSERT INTO entries (org_id, agent_id, value) SELECT organization_id, id, unnest(${numbers}::text[]) FROM agents WHERE id = ${agentId}`;
    const list = (input: object) =>
      fetch(`${baseUrl}/api/trpc/blockList.list?input=${encodeURIComponent(JSON.stringify(input))}`, {
        headers: { "X-Authorization": alice.apiKey },
      }).then((response) => response.json() as Promise<{ result: { data: Record<string, unknown> } }>);
    const first = (await list({ agentId })).result.data;
    expect(first.blockList).toEqual(numbers.slice(0, 10_000));
    expect(first.count).toBe(10_001);
    const second = (await list({ agentId, cursor: first.nextCursor })).result.data;
    expect(second).toEqual({ blockList: numbers.slice(10_000), count: 10_001 });
  });
});
