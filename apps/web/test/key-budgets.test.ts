// Keys with budgets of their own, and requests that cost by the numbers they carry, on two instances of the real
// server over real HTTP (README › Rate limits). Every other key has the default budget of 5 units a day.
import { createApiKey } from "@blocklist/api";
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { ErrorMessage, SUCCESS_MESSAGE } from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cliJson } from "./cli";
import { type Answer, blockListPath, call } from "./http";
import { testNumber } from "./numbers";
import { scrapedValue } from "./prometheus";
import { untilRefused, untilSeen } from "./revocation";
import { type RunningServer, startServer } from "./server";
import { awayFromWindowEnd } from "./windows";

const DEFAULT_BUDGET = 5;
const WINDOW_SECONDS = 86_400;
const METRICS_TOKEN = "key-budgets-metrics-token-0123";

await awayFromWindowEnd(WINDOW_SECONDS, 300);
const { prisma: db, url: databaseUrl } = await testDatabaseForFile();
const cliEnv = { DATABASE_URL: databaseUrl };
const serverEnv = {
  ...cliEnv,
  RATE_LIMIT_REQUESTS: String(DEFAULT_BUDGET),
  RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
  METRICS_TOKEN,
};
const [a, b] = (await Promise.all([startServer(serverEnv), startServer(serverEnv)])) as [
  RunningServer,
  RunningServer,
];
afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
});
// Keys are remembered (with their budget) only while an instance listens for changes: wait until both do, so
// that the changes below have to reach them by notification.
beforeAll(async () => {
  for (const server of [a, b]) {
    const trusted = () => scrapedValue(server.url, METRICS_TOKEN, "blocklist_check_cache_trusted");
    await vi.waitFor(async () => expect(await trusted()).toBe(1), { timeout: 15_000, interval: 100 });
  }
});

/** What an answer says of its key's budget. */
function budget(answer: Answer) {
  return {
    limit: answer.headers.get("ratelimit-limit"),
    remaining: answer.headers.get("ratelimit-remaining"),
    policy: answer.headers.get("ratelimit-policy"),
    retryAfter: answer.headers.get("retry-after"),
  };
}
const spent = (limit: number, remaining: number) => ({
  limit: String(limit),
  remaining: String(remaining),
  policy: `${limit};w=${WINDOW_SECONDS}`,
  retryAfter: null,
});
const refused = (limit: number, remaining: number) => ({
  ...spent(limit, remaining),
  retryAfter: expect.stringMatching(/^[1-9][0-9]*$/),
});
const unmetered = { limit: null, remaining: null, policy: null, retryAfter: null };

const tooMany = { status: 429, body: { error: ErrorMessage.tooManyRequests } };
const trpcTooMany = {
  status: 429,
  body: {
    error: {
      message: ErrorMessage.tooManyRequests,
      code: -32029,
      data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 },
    },
  },
};
const whole = (answer: Answer) => ({ status: answer.status, body: answer.body });

const numbers = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => testNumber(from + index));

const organizations = (server: RunningServer, key: string) =>
  call(server.url, "GET", "/api/organizations", { key });
const check = (server: RunningServer, key: string, agentId: string) =>
  call(
    server.url,
    "GET",
    `/api/trpc/blockList.check?input=${encodeURIComponent(JSON.stringify({ agentId, number: "+14155550100" }))}`,
    { key },
  );
const change = (
  server: RunningServer,
  method: "POST" | "DELETE",
  key: string,
  tenant: Tenant,
  list: string[],
) =>
  call(server.url, method, "/api/agent-block-list", {
    key,
    body: { uid: tenant.uid, agentId: tenant.agentId, numbers: list },
  });
const trpcAdd = (server: RunningServer, key: string, tenant: Tenant, list: string[]) =>
  call(server.url, "POST", "/api/trpc/blockList.add", {
    key,
    body: { agentId: tenant.agentId, numbers: list },
  });
const storedCount = (tenant: Tenant) => db.entry.count({ where: { agentId: tenant.agentId } });

describe("a key's own budget", () => {
  it("holds the key on REST and tRPC, counted in units; the user's other keys keep the default", async () => {
    const ada = await createTenant(db, "ada");
    const { apiKey } = await createApiKey(db, { uid: ada.uid, readOnly: false, rateLimit: 8 });

    const listed = await organizations(a, apiKey);
    expect([listed.status, budget(listed)]).toEqual([200, spent(8, 7)]);
    const checked = await check(a, apiKey, ada.agentId);
    expect([checked.status, budget(checked)]).toEqual([200, spent(8, 6)]);
    // 150 numbers: 1 + 2 units.
    const posted = await change(a, "POST", apiKey, ada, numbers(150));
    expect([posted.status, budget(posted)]).toEqual([200, spent(8, 3)]);
    const added = await trpcAdd(a, apiKey, ada, numbers(1, 150));
    expect(whole(added)).toEqual({
      status: 200,
      body: { result: { data: { message: SUCCESS_MESSAGE, added: numbers(1, 150), failed: [] } } },
    });
    expect(budget(added)).toEqual(spent(8, 1));

    // The last unit admits the call; its one number does not fit any more, and is not added.
    const refusedAdd = await trpcAdd(a, apiKey, ada, numbers(1, 151));
    expect([whole(refusedAdd), budget(refusedAdd)]).toEqual([trpcTooMany, refused(8, 0)]);
    const refusedList = await organizations(a, apiKey);
    expect([whole(refusedList), budget(refusedList)]).toEqual([tooMany, refused(8, 0)]);
    expect(await storedCount(ada)).toBe(151);

    const other = await organizations(a, ada.apiKey);
    expect([other.status, budget(other)]).toEqual([200, spent(DEFAULT_BUDGET, DEFAULT_BUDGET - 1)]);
  });

  it("unlimited: never refused, on REST and tRPC, and no RateLimit-* headers; the default still holds others", async () => {
    const bo = await createTenant(db, "bo");
    const { apiKey } = await createApiKey(db, { uid: bo.uid, readOnly: false, rateLimit: "unlimited" });
    for (let round = 0; round < 2 * DEFAULT_BUDGET; round += 1) {
      for (const answer of [await organizations(a, apiKey), await check(a, apiKey, bo.agentId)]) {
        expect([answer.status, budget(answer)]).toEqual([200, unmetered]);
      }
    }
    // 101 units, far over the default budget.
    const posted = await change(a, "POST", apiKey, bo, numbers(10_000));
    expect([posted.status, budget(posted)]).toEqual([200, unmetered]);

    const limited = [];
    for (let round = 0; round <= DEFAULT_BUDGET; round += 1)
      limited.push((await organizations(a, bo.apiKey)).status);
    expect(limited).toEqual([...Array(DEFAULT_BUDGET).fill(200), 429]);
  });
});

describe("what a request costs", () => {
  it("a 10,000-number POST or DELETE costs 101 units; one whose numbers do not fit is a 429 that stores nothing", async () => {
    const cy = await createTenant(db, "cy");
    const { apiKey } = await createApiKey(db, { uid: cy.uid, readOnly: false, rateLimit: 250 });
    const all = numbers(10_000);

    const posted = await change(a, "POST", apiKey, cy, all);
    expect(whole(posted)).toEqual({
      status: 200,
      body: { message: SUCCESS_MESSAGE, added: all, failed: [] },
    });
    expect(budget(posted)).toEqual(spent(250, 149));
    const removed = await change(a, "DELETE", apiKey, cy, all);
    expect(whole(removed)).toEqual({
      status: 200,
      body: { message: SUCCESS_MESSAGE, removed: all, failed: [] },
    });
    expect(budget(removed)).toEqual(spent(250, 48));

    // 48 units left: the admission takes one, the 100 for the numbers do not fit in the 47 left.
    const refusedPost = await change(a, "POST", apiKey, cy, all);
    expect([whole(refusedPost), budget(refusedPost)]).toEqual([tooMany, refused(250, 47)]);
    expect(await storedCount(cy)).toBe(0);
    // What is left still serves requests that fit.
    const listed = await call(a.url, "GET", blockListPath({ uid: cy.uid, agentId: cy.agentId }), {
      key: apiKey,
    });
    expect([whole(listed), budget(listed)]).toEqual([
      { status: 200, body: { blockList: [], count: 0 } },
      spent(250, 46),
    ]);
  });

  it("a 10,000-number tRPC add costs 101 units too", async () => {
    const dee = await createTenant(db, "dee");
    const { apiKey } = await createApiKey(db, { uid: dee.uid, readOnly: false, rateLimit: 150 });
    const added = await trpcAdd(a, apiKey, dee, numbers(10_000));
    expect([added.status, budget(added)]).toEqual([200, spent(150, 49)]);
    const refusedAdd = await trpcAdd(a, apiKey, dee, numbers(10_000, 10_000));
    expect([whole(refusedAdd), budget(refusedAdd)]).toEqual([trpcTooMany, refused(150, 48)]);
    expect(await storedCount(dee)).toBe(10_000);
  });
});

describe("changes made with the CLI reach both instances within a second", () => {
  it("key set-rate-limit: a new budget, unlimited, then the default again", async () => {
    const eve = await createTenant(db, "eve");
    for (const server of [a, b]) expect(budget(await organizations(server, eve.apiKey)).limit).toBe("5");

    const limitOf = (limit: string | null) => (answer: Answer) =>
      answer.headers.get("ratelimit-limit") === limit;
    for (const [rateLimit, limit] of [
      ["1000", "1000"],
      ["unlimited", null],
      ["default", String(DEFAULT_BUDGET)],
    ] as const) {
      await cliJson(cliEnv, "key", "set-rate-limit", "--key-id", eve.caller.keyId, "--rate-limit", rateLimit);
      const changedAt = performance.now();
      for (const server of [a, b]) {
        const answer = await untilSeen(changedAt, () => organizations(server, eve.apiKey), limitOf(limit));
        expect(budget(answer).limit).toBe(limit);
      }
    }
  });

  it("user delete: the user's keys are refused on REST and tRPC", async () => {
    const fay = await createTenant(db, "fay");
    for (const server of [a, b]) {
      expect((await organizations(server, fay.apiKey)).status).toBe(200);
      expect((await check(server, fay.readOnlyKey, fay.agentId)).status).toBe(200);
    }
    await cliJson(cliEnv, "agent", "delete", "--agent-id", fay.agentId);
    expect(await cliJson(cliEnv, "user", "delete", "--uid", fay.uid)).toEqual({
      uid: fay.uid,
      deleted: true,
      deletedKeyIds: [fay.caller.keyId, fay.readOnlyCaller.keyId],
      deletedOrgIds: [fay.orgId],
    });
    const deletedAt = performance.now();
    for (const server of [a, b]) {
      const rest = await untilRefused(deletedAt, () => organizations(server, fay.apiKey));
      expect(whole(rest)).toEqual({ status: 401, body: { error: ErrorMessage.invalidKey } });
      const trpc = await untilRefused(deletedAt, () => check(server, fay.readOnlyKey, fay.agentId));
      expect(trpc.status).toBe(401);
    }
  });
});
