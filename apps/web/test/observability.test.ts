// Logs and metrics of the real server: one JSON line per request, never a secret, and counters that move.
import { createTenant } from "@blocklist/api/testing";
import { FailureReason } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { call, signIn } from "./http";
import { type MetricFamily, parsePrometheusText } from "./prometheus";
import { serverForFile } from "./server";

const METRICS_TOKEN = "test-metrics-token-0123456789";

const { db, server } = await serverForFile({ METRICS_TOKEN, LOG_LEVEL: "info" });
const alice = await createTenant(db, "alice");
const { cookie: aliceSession } = await signIn(server.url, alice.apiKey);

/** Every line the server wrote, parsed: each one must be a JSON object. */
function logLines(): Record<string, unknown>[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

/** The log lines of one request, once it has been written (just after the answer). */
async function linesOf(requestId: string): Promise<Record<string, unknown>[]> {
  const ofRequest = () => logLines().filter((line) => line.requestId === requestId);
  await server.untilOutput(() => ofRequest().length > 0);
  return ofRequest();
}

describe("request logs", () => {
  it("writes one JSON line per request with its id, route, status, duration, key prefix and counts", async () => {
    const answer = await call(server.url, "POST", "/api/agent-block-list", {
      key: alice.apiKey,
      headers: { "X-Request-Id": "log-test-1", Cookie: `bl_session=${alice.readOnlyKey}` },
      body: { uid: alice.uid, agentId: alice.agentId, numbers: ["+14155552671", "+1 415 555 2671", "12"] },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-request-id")).toBe("log-test-1");

    expect(await linesOf("log-test-1")).toEqual([
      {
        level: "info",
        time: expect.any(String),
        service: "blocklist",
        pid: server.process.pid,
        requestId: "log-test-1",
        method: "POST",
        route: "/api/agent-block-list",
        path: "/api/agent-block-list",
        status: 200,
        durationMs: expect.any(Number),
        keyId: alice.caller.keyId,
        keyPrefix: alice.apiKey.slice(0, 9),
        numbers: {
          sent: 3,
          added: 1,
          failed: 2,
          failedReasons: { [FailureReason.duplicateInRequest]: 1, [FailureReason.invalidFormat]: 1 },
        },
        msg: expect.stringMatching(/^POST \/api\/agent-block-list 200 in [\d.]+ ms$/),
      },
    ]);
  });

  it("gives every request an id, echoed in the answer, and logs tRPC calls by procedure", async () => {
    const response = await fetch(`${server.url}/api/trpc/organizations.list`, {
      headers: { Cookie: aliceSession },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get("x-request-id") ?? "";
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [line] = await linesOf(requestId);
    expect(line).toMatchObject({
      level: "info",
      route: "/api/trpc/organizations.list",
      status: 200,
      keyId: alice.caller.keyId,
      keyPrefix: alice.apiKey.slice(0, 9),
    });
  });

  it("logs a check answered without a fault at debug only (DECISIONS.md › What the call path logs)", async () => {
    const input = encodeURIComponent(JSON.stringify({ agentId: alice.agentId, number: "+14155552671" }));
    const checked = await call(server.url, "GET", `/api/trpc/blockList.check?input=${input}`, {
      key: alice.apiKey,
    });
    expect(checked).toMatchObject({ status: 200, body: { result: { data: { blocked: true } } } });
    // At LOG_LEVEL info nothing is written for it: the line of a request sent after it is, and it alone.
    const after = await call(server.url, "GET", "/api/organizations", { key: alice.apiKey });
    await linesOf(after.headers.get("x-request-id") ?? "");
    expect(logLines().filter((line) => line.requestId === checked.headers.get("x-request-id"))).toEqual([]);
  });

  it("never writes a key, a cookie or the metrics token, and every line is JSON", async () => {
    const keyed = [
      await call(server.url, "GET", "/api/organizations", { key: alice.readOnlyKey }),
      await call(server.url, "GET", "/api/organizations", { key: "bl_guessedguessedguessedguessedgu" }),
    ];
    await fetch(`${server.url}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    // Whatever those requests log is written before the line of a request sent after them.
    const after = await call(server.url, "GET", "/api/organizations");
    for (const answer of [...keyed, after]) {
      expect(await linesOf(answer.headers.get("x-request-id") ?? "")).toHaveLength(1);
    }
    const output = server.output();
    for (const secret of [
      alice.apiKey,
      alice.readOnlyKey,
      aliceSession.split("=")[1] ?? aliceSession,
      "bl_guessedguessedguessedguessedgu",
      METRICS_TOKEN,
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(() => logLines()).not.toThrow();
  });
});

async function scrape(): Promise<MetricFamily[]> {
  const response = await fetch(`${server.url}/api/metrics`, {
    headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  // Throws on anything that is not valid Prometheus text format.
  return parsePrometheusText(await response.text());
}

/** The value of one sample (0 when the series does not exist yet). */
function sample(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  const found = families
    .flatMap((family) => family.samples)
    .find(
      (candidate) =>
        candidate.name === name &&
        Object.entries(labels).every(([key, value]) => candidate.labels[key] === value),
    );
  return found?.value ?? 0;
}

describe("GET /api/metrics", () => {
  it("is refused without the token", async () => {
    const answer = await call(server.url, "GET", "/api/metrics");
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
  });

  it("parses as Prometheus text and its counters move with the requests made", async () => {
    const before = await scrape();
    const post = { method: "POST", route: "/api/agent-block-list", status: "200" };
    const check = { method: "GET", route: "/api/trpc/blockList.check", status: "200" };

    await call(server.url, "POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId: alice.agentId, numbers: ["+14155550101", "+14155550102", "nope"] },
    });
    await call(server.url, "DELETE", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId: alice.agentId, numbers: ["+14155550101", "+14155550109"] },
    });
    for (const number of ["+14155550102", "+14155550103", "withheld"]) {
      const input = encodeURIComponent(JSON.stringify({ agentId: alice.agentId, number }));
      await fetch(`${server.url}/api/trpc/blockList.check?input=${input}`, {
        headers: { "X-Authorization": alice.apiKey },
      });
    }
    await call(server.url, "GET", "/api/organizations");
    const after = await scrape();

    const delta = (name: string, labels?: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect({
      posts: delta("blocklist_http_requests_total", post),
      postTimings: delta("blocklist_http_request_duration_seconds_count", post),
      checks: delta("blocklist_http_requests_total", check),
      refused: delta("blocklist_http_requests_total", { route: "/api/organizations", status: "401" }),
      added: delta("blocklist_numbers_added_total"),
      removed: delta("blocklist_numbers_removed_total"),
      invalid: delta("blocklist_numbers_failed_total", {
        operation: "add",
        reason: FailureReason.invalidFormat,
      }),
      notFound: delta("blocklist_numbers_failed_total", {
        operation: "remove",
        reason: FailureReason.notFound,
      }),
      blocked: delta("blocklist_checks_total", { result: "blocked" }),
      notBlocked: delta("blocklist_checks_total", { result: "not_blocked" }),
      invalidCallers: delta("blocklist_checks_total", { result: "invalid_number" }),
    }).toEqual({
      posts: 1,
      postTimings: 1,
      checks: 3,
      refused: 1,
      added: 2,
      removed: 1,
      invalid: 1,
      notFound: 1,
      blocked: 1,
      notBlocked: 1,
      invalidCallers: 1,
    });
    expect(sample(after, "blocklist_db_pool_max_connections")).toBe(10);
    expect(sample(after, "blocklist_db_pool_connections", { state: "idle" })).toBeGreaterThan(0);
    // Registered for the rate limiter, which counts into it.
    expect(after.find((family) => family.name === "blocklist_rate_limit_refusals_total")?.type).toBe(
      "counter",
    );
    expect(sample(after, "blocklist_check_blocked_ratio")).toBeGreaterThan(0);
  });
});
