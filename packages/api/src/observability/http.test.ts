import { EventEmitter, once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { ErrorMessage } from "@blocklist/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { noteApiKey, noteOutcome, noteProcedure, noteRoute, reportError } from "./context";
import { type NodeRequestHandler, observeRequests, requestIdOf } from "./http";
import { createLogger } from "./logger";
import { getMetrics } from "./metrics";

const KEY = "bl_AbCdEf0123456789AbCdEf0123456789";

// Every line the logger writes, parsed; `written` tells each time.
let lines: Record<string, unknown>[] = [];
const written = new EventEmitter();
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
    written.emit("lines");
    done();
  },
});
const logger = createLogger({ level: "debug", format: "json", destination: sink });

// A stand-in for Next.js: each path does what a real route would tell the observability layer.
const routes: Record<string, NodeRequestHandler> = {
  "/api/agent-block-list": (request, response) => {
    noteRoute("/api/agent-block-list");
    noteApiKey(request.headers["x-authorization"] as string, "key_test");
    noteOutcome({
      message: "Block list updated successfully",
      added: ["+14155552671"],
      failed: [
        { number: "+14155552671", reason: "Duplicate number in request" },
        { number: "4155552671", reason: "Invalid phone number format" },
      ],
    });
    response.setHeader("Content-Type", "application/json");
    response.end("{}");
  },
  "/api/trpc/blockList.check": (_request, response) => {
    noteProcedure("blockList.check");
    noteOutcome({ blocked: true, e164: "+14155552671" });
    response.end("{}");
  },
  "/api/broken": (_request, response) => {
    noteRoute("/api/broken");
    reportError(new Error("query failed", { cause: new Error("connection refused") }), "test");
    response.statusCode = 500;
    response.end(JSON.stringify({ error: ErrorMessage.internal }));
  },
  "/api/throws": () => {
    throw new Error("handler crashed");
  },
  "/api/health": (_request, response) => {
    response.end("{}");
  },
};

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const handle: NodeRequestHandler = (request, response) => {
    const route = routes[(request.url ?? "/").split("?")[0] ?? "/"];
    if (route) return route(request, response);
    response.statusCode = 404;
    response.end();
  };
  server = createServer(
    observeRequests(handle, {
      logger,
      routeOf: (path) => (path === "/api/health" ? "/api/health" : undefined),
      quietRoutes: new Set(["/api/health"]),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  lines = [];
});

// The log line is written when the answer is complete, which may be just after the client has it: wait for it.
async function logLines(count: number): Promise<Record<string, unknown>[]> {
  while (lines.length < count) await once(written, "lines");
  return lines;
}

describe("observeRequests", () => {
  it("writes one JSON line per request with id, route, status, duration, key prefix and counts", async () => {
    const response = await fetch(`${baseUrl}/api/agent-block-list?uid=usr_1&agentId=agt_1`, {
      method: "POST",
      headers: { "X-Request-Id": "req-123", "X-Authorization": KEY, Cookie: `bl_session=${KEY}` },
    });
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
      keyId: "key_test",
      keyPrefix: "bl_AbCdEf",
      numbers: {
        sent: 3,
        added: 1,
        failed: 2,
        failedReasons: { "Duplicate number in request": 1, "Invalid phone number format": 1 },
      },
      msg: expect.stringMatching(/^POST \/api\/agent-block-list 200 in [\d.]+ ms$/),
    });
    expect(JSON.stringify(line)).not.toContain(KEY);
  });

  it("makes up a request id when the caller sends none or an unusable one", async () => {
    const plain = await fetch(`${baseUrl}/api/trpc/blockList.check`);
    const odd = await fetch(`${baseUrl}/api/trpc/blockList.check`, {
      headers: { "X-Request-Id": "has spaces and \u00e9" },
    });
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

  it("logs a reported error once, at error level, with its cause, and answers without internals", async () => {
    const response = await fetch(`${baseUrl}/api/broken`);
    expect(await response.json()).toEqual({ error: ErrorMessage.internal });
    const logged = await logLines(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: "error",
      status: 500,
      err: { type: "Error", message: "query failed", cause: { message: "connection refused" } },
    });
  });

  it("answers 500 JSON when the handler itself throws", async () => {
    const response = await fetch(`${baseUrl}/api/throws`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: ErrorMessage.internal });
    const [line] = await logLines(1);
    expect(line).toMatchObject({ level: "error", route: "(unmatched)", err: { message: "handler crashed" } });
  });

  it("logs probes at debug level, and labels unknown paths with one route", async () => {
    await fetch(`${baseUrl}/api/health`);
    await fetch(`${baseUrl}/no/such/page/${Math.random()}`);
    const logged = await logLines(2);
    expect(logged.map((line) => [line.level, line.route, line.status])).toEqual([
      ["debug", "/api/health", 200],
      ["info", "(unmatched)", 404],
    ]);
  });

  it("counts requests, numbers and checks in the metrics", async () => {
    const metrics = getMetrics();
    const count = async () =>
      (await metrics.httpRequests.get()).values.find(
        (sample) =>
          sample.labels.route === "/api/agent-block-list" &&
          sample.labels.method === "POST" &&
          sample.labels.status === "200",
      )?.value ?? 0;
    const failed = async () =>
      (await metrics.numbersFailed.get()).values.find(
        (sample) =>
          sample.labels.operation === "add" && sample.labels.reason === "Invalid phone number format",
      )?.value ?? 0;
    const added = async () => (await metrics.numbersAdded.get()).values[0]?.value ?? 0;
    const before = { requests: await count(), failed: await failed(), added: await added() };

    await fetch(`${baseUrl}/api/agent-block-list`, { method: "POST" });
    await fetch(`${baseUrl}/api/agent-block-list`, { method: "POST" });
    await logLines(2);

    expect({ requests: await count(), failed: await failed(), added: await added() }).toEqual({
      requests: before.requests + 2,
      failed: before.failed + 2,
      added: before.added + 2,
    });
    expect(await metrics.httpRequestsInFlight.get()).toMatchObject({ values: [{ value: 0 }] });
  });
});

describe("requestIdOf", () => {
  it("keeps short plain ids and replaces anything else", () => {
    expect(requestIdOf("0af7651916cd43dd8448eb211c80319c")).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(requestIdOf(["first", "second"])).toBe("first");
    for (const unusable of ["", "a".repeat(129), "two words", 'quote"d', "line\nbreak"]) {
      expect(requestIdOf(unusable)).not.toBe(unusable);
    }
  });
});
