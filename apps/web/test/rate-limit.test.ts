import { createTenant, type Tenant } from "@blocklist/api/testing";
import { ErrorMessage } from "@blocklist/core";
import { describe, expect, it, vi } from "vitest";
import { type Answer, blockListPath, call } from "./http";
import { parsePrometheusText } from "./prometheus";
import { awayFromWindowEnd } from "./rateLimitWindow";
import { serverForFile } from "./server";

// The per-key rate limit of the real server over real HTTP, with a budget of 5 requests a day.
const LIMIT = 5;
const WINDOW_SECONDS = 86_400;
const METRICS_TOKEN = "rate-limit-metrics-token-0123";

await awayFromWindowEnd(WINDOW_SECONDS, 100);
const { db, server } = await serverForFile({
  RATE_LIMIT_REQUESTS: String(LIMIT),
  RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
  METRICS_TOKEN,
});
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");
const carol = await createTenant(db, "carol");

const RATE_LIMIT_HEADERS = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"];

/** The rate-limit headers of an answer, with the reset checked and left out (it depends on the clock). */
function limitHeaders(answer: Answer): Record<string, string | null> {
  const reset = Number(answer.headers.get("ratelimit-reset"));
  expect(Number.isInteger(reset) && reset >= 1 && reset <= WINDOW_SECONDS, `RateLimit-Reset ${reset}`).toBe(
    true,
  );
  const retryAfter = answer.headers.get("retry-after");
  if (retryAfter !== null) expect(retryAfter).toBe(String(reset));
  return {
    limit: answer.headers.get("ratelimit-limit"),
    remaining: answer.headers.get("ratelimit-remaining"),
    policy: answer.headers.get("ratelimit-policy"),
    retryAfter,
  };
}

const admitted = (remaining: number) => ({
  limit: String(LIMIT),
  remaining: String(remaining),
  policy: `${LIMIT};w=${WINDOW_SECONDS}`,
  retryAfter: null,
});
const refused = {
  limit: String(LIMIT),
  remaining: "0",
  policy: `${LIMIT};w=${WINDOW_SECONDS}`,
  retryAfter: expect.stringMatching(/^[1-9][0-9]*$/),
};
const tooMany = { status: 429, body: { error: ErrorMessage.tooManyRequests } };

const organizations = (key: string) => call(server.url, "GET", "/api/organizations", { key });
const checkPath = (tenant: Tenant) =>
  `/api/trpc/blockList.check?input=${encodeURIComponent(
    JSON.stringify({ agentId: tenant.agentId, number: "+14155552671" }),
  )}`;

describe("past a key's budget", () => {
  it("REST answers 429 JSON with Retry-After; every answer before says what is left", async () => {
    for (let used = 1; used <= LIMIT; used += 1) {
      const answer = await organizations(alice.apiKey);
      expect(answer.status).toBe(200);
      expect(limitHeaders(answer)).toEqual(admitted(LIMIT - used));
    }

    const answer = await organizations(alice.apiKey);
    expect({ status: answer.status, body: answer.body }).toEqual(tooMany);
    expect(limitHeaders(answer)).toEqual(refused);
  });

  it("the other route and every method are refused too, before the query or body is looked at", async () => {
    const list = await call(server.url, "GET", blockListPath({ uid: alice.uid }), { key: alice.apiKey });
    expect({ status: list.status, body: list.body }).toEqual(tooMany);
    const post = await call(server.url, "POST", "/api/agent-block-list", {
      key: alice.apiKey,
      rawBody: "{",
      headers: { "Content-Type": "text/plain" },
    });
    expect({ status: post.status, body: post.body }).toEqual(tooMany);
    expect(post.headers.get("retry-after")).toBe(post.headers.get("ratelimit-reset"));
  });

  it("an unknown key is still a 401, with no budget of its own to report", async () => {
    const answer = await organizations(`bl_${"x".repeat(32)}`);
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 401,
      body: { error: ErrorMessage.invalidKey },
    });
    for (const header of [...RATE_LIMIT_HEADERS, "retry-after"])
      expect(answer.headers.get(header)).toBeNull();
  });

  it("leaves the user's other key and other users' keys alone", async () => {
    for (const key of [alice.readOnlyKey, bob.apiKey]) {
      const answer = await organizations(key);
      expect(answer.status).toBe(200);
      expect(limitHeaders(answer)).toEqual(admitted(LIMIT - 1));
    }
  });

  it("an answer that is an error after the key check counts and says so too", async () => {
    const answer = await call(server.url, "GET", blockListPath({ uid: bob.uid }), { key: bob.apiKey });
    expect(answer.status).toBe(400);
    expect(limitHeaders(answer)).toEqual(admitted(LIMIT - 2));
  });

  it("limits tRPC calls with the same budget: TOO_MANY_REQUESTS, HTTP 429, Retry-After", async () => {
    for (let used = 1; used <= LIMIT - 1; used += 1) {
      const answer = await call(server.url, "GET", checkPath(carol), { key: carol.apiKey });
      expect(answer.status).toBe(200);
      expect(limitHeaders(answer)).toEqual(admitted(LIMIT - used));
    }
    // The REST routes draw on the same budget: this is the last request of it.
    expect(limitHeaders(await organizations(carol.apiKey))).toEqual(admitted(0));

    const answer = await call(server.url, "GET", checkPath(carol), { key: carol.apiKey });
    expect(answer.status).toBe(429);
    expect(answer.body).toMatchObject({
      error: { message: ErrorMessage.tooManyRequests, data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } },
    });
    expect(limitHeaders(answer)).toEqual(refused);

    const other = await call(server.url, "GET", checkPath(bob), { key: bob.readOnlyKey });
    expect(other.status).toBe(200);
  });

  it("counts are written to the shared table, where other instances read them", async () => {
    const stored = (keyId: string) =>
      db.rateLimitCounter.aggregate({ where: { keyId }, _sum: { count: true } });
    await vi.waitFor(
      async () => {
        expect((await stored(alice.caller.keyId))._sum.count).toBe(LIMIT);
        expect((await stored(carol.caller.keyId))._sum.count).toBe(LIMIT);
        expect((await stored(bob.caller.keyId))._sum.count).toBe(2);
      },
      { timeout: 30_000, interval: 100 },
    );
  });

  it("each refusal is counted in blocklist_rate_limit_refusals_total by route", async () => {
    const response = await fetch(`${server.url}/api/metrics`, {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const family = parsePrometheusText(await response.text()).find(
      (metric) => metric.name === "blocklist_rate_limit_refusals_total",
    );
    const byRoute = Object.fromEntries(
      (family?.samples ?? []).map((sample) => [sample.labels.route, sample.value]),
    );
    expect(byRoute).toEqual({
      "/api/organizations": 1,
      "/api/agent-block-list": 2,
      "/api/trpc/blockList.check": 1,
    });
  });
});
