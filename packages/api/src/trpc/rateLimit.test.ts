import { ErrorMessage } from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterEach, describe, expect, it } from "vitest";
import { createApiKey } from "../admin/keys";
import { createMetrics } from "../observability/metrics";
import { admit } from "../rateLimit/admission";
import { RateLimiter } from "../rateLimit/limiter";
import { createTenant, trpcTestContext } from "../testing/fixtures";
import { createTrpcContext, type TrpcContext } from "./context";
import { appRouter, createCaller } from "./root";

// Key-authenticated procedures share the key's budget with the REST routes, and answer TOO_MANY_REQUESTS past it.
const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");
const metrics = createMetrics();
// The limiter a test installed, handed to every context it builds (none: nothing is limited).
let limiter: RateLimiter | undefined;
afterEach(() => {
  limiter = undefined;
});

const LIMIT = 3;
const WINDOW_SECONDS = 60;
// A clock that stands still mid-window, so that no window ends during a test; 30 s are left in it.
const NOW = Date.UTC(2026, 10, 27, 12, 0, 30);

function installLimiter(): RateLimiter {
  limiter = new RateLimiter({
    db: () => db,
    defaultBudget: LIMIT,
    windowSeconds: WINDOW_SECONDS,
    now: () => NOW,
    onRefusal: (route) => metrics.rateLimitRefusals.inc({ route }),
  });
  return limiter;
}

function context(apiKey: string | null, resHeaders = new Headers()): TrpcContext {
  const credentials = apiKey === null ? {} : { apiKey };
  return {
    ...trpcTestContext(db, limiter ? { ...credentials, rateLimiter: limiter } : credentials),
    resHeaders,
  };
}

const tooManyRequests = {
  name: "TRPCError",
  code: "TOO_MANY_REQUESTS",
  message: ErrorMessage.tooManyRequests,
};

async function refusals(route: string): Promise<number> {
  const sample = (await metrics.rateLimitRefusals.get()).values.find((value) => value.labels.route === route);
  return sample?.value ?? 0;
}

describe("authed procedures under a rate limit", () => {
  it("refuse a key past its budget with TOO_MANY_REQUESTS and Retry-After, before parsing the input", async () => {
    installLimiter();
    const resHeaders = new Headers();
    const caller = createCaller(context(alice.apiKey, resHeaders));
    const check = () => caller.blockList.check({ agentId: alice.agentId, number: "+14155552671" });
    for (let index = 0; index < LIMIT; index += 1) await check();
    expect(resHeaders.get("RateLimit-Remaining")).toBe("0");
    expect(resHeaders.get("Retry-After")).toBeNull();

    const before = await refusals("/api/trpc/blockList.check");
    await expect(check()).rejects.toMatchObject(tooManyRequests);
    expect(await refusals("/api/trpc/blockList.check")).toBe(before + 1);
    // Input that would be a BAD_REQUEST is not even looked at.
    await expect(
      caller.blockList.check({ agentId: "", number: 5 as unknown as string }),
    ).rejects.toMatchObject(tooManyRequests);
    expect(Object.fromEntries(resHeaders)).toEqual({
      "ratelimit-limit": String(LIMIT),
      "ratelimit-remaining": "0",
      "ratelimit-reset": "30",
      "ratelimit-policy": `${LIMIT};w=${WINDOW_SECONDS}`,
      "retry-after": "30",
    });
  });

  it("leave other keys, of the same user or another, alone, and never count an unknown key", async () => {
    installLimiter();
    const exhausted = createCaller(context(alice.apiKey));
    for (let index = 0; index < LIMIT; index += 1) await exhausted.organizations.list();
    await expect(exhausted.organizations.list()).rejects.toMatchObject(tooManyRequests);

    expect(await createCaller(context(alice.readOnlyKey)).organizations.list()).toEqual({
      organizations: [expect.objectContaining({ id: expect.any(String) })],
    });
    expect(await createCaller(context(bob.apiKey)).organizations.list()).toEqual({
      organizations: [expect.objectContaining({ id: expect.any(String) })],
    });
    await expect(createCaller(context("bl_unknown")).organizations.list()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: ErrorMessage.invalidKey,
    });
  });

  it("answer HTTP 429 with Retry-After and RateLimit-* headers over the fetch adapter", async () => {
    installLimiter();
    const send = () =>
      fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(
          `http://localhost/api/trpc/organizations.list?input=${encodeURIComponent(JSON.stringify({}))}`,
          { headers: { "X-Authorization": bob.readOnlyKey } },
        ),
        router: appRouter,
        createContext: (options) => createTrpcContext(options, { db, rateLimiter: limiter }),
      });
    const answers = [];
    for (let index = 0; index <= LIMIT; index += 1) answers.push(await send());
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((answer) => answer.headers.get("RateLimit-Remaining"))).toEqual(["2", "1", "0", "0"]);
    const refused = answers[LIMIT] as Response;
    expect(refused.headers.get("Retry-After")).toBe("30");
    expect(await refused.json()).toMatchObject({
      error: { message: ErrorMessage.tooManyRequests, data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } },
    });
  });

  it("hold a key with a budget of its own to it, and charge add and remove for their numbers once parsed", async () => {
    installLimiter();
    const { apiKey } = await createApiKey(db, { uid: alice.uid, readOnly: false, rateLimit: 10 });
    const resHeaders = new Headers();
    const caller = createCaller(context(apiKey, resHeaders));
    const remaining = () => resHeaders.get("RateLimit-Remaining");
    const numbers = (count: number, from: number) =>
      Array.from({ length: count }, (_, index) => `+1415555${String(from + index).padStart(4, "0")}`);

    // 150 numbers: 1 unit at admission, 2 once the input is parsed.
    await caller.blockList.add({ agentId: alice.agentId, numbers: numbers(150, 0) });
    expect([resHeaders.get("RateLimit-Limit"), remaining(), resHeaders.get("RateLimit-Policy")]).toEqual([
      "10",
      "7",
      `10;w=${WINDOW_SECONDS}`,
    ]);
    // Input that does not parse costs its admission only.
    await expect(caller.blockList.remove({ agentId: alice.agentId, numbers: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(remaining()).toBe("6");
    await caller.blockList.remove({ agentId: alice.agentId, numbers: numbers(100, 0) });
    expect(remaining()).toBe("4");
    // 1 + 10 units with 4 left: admitted, then refused before anything is added.
    await expect(
      caller.blockList.add({ agentId: alice.agentId, numbers: numbers(1000, 1000) }),
    ).rejects.toMatchObject(tooManyRequests);
    expect(Object.fromEntries(resHeaders)).toEqual({
      "ratelimit-limit": "10",
      "ratelimit-remaining": "3",
      "ratelimit-reset": "30",
      "ratelimit-policy": `10;w=${WINDOW_SECONDS}`,
      "retry-after": "30",
    });
    expect(await db.entry.count({ where: { agentId: alice.agentId } })).toBe(50);
    for (let index = 0; index < 3; index += 1) await caller.organizations.list();
    await expect(caller.organizations.list()).rejects.toMatchObject(tooManyRequests);
    await db.entry.deleteMany({ where: { agentId: alice.agentId } });
  });

  it("never refuse an unlimited key, and give it no RateLimit-* headers", async () => {
    installLimiter();
    const { apiKey } = await createApiKey(db, { uid: bob.uid, readOnly: true, rateLimit: "unlimited" });
    const resHeaders = new Headers();
    const caller = createCaller(context(apiKey, resHeaders));
    for (let index = 0; index < LIMIT * 3; index += 1) {
      await caller.blockList.check({ agentId: bob.agentId, number: "+14155552671" });
    }
    expect([...resHeaders.keys()]).toEqual([]);
  });

  it("are not limited when no limiter runs (RATE_LIMIT_REQUESTS=0)", async () => {
    expect(admit(undefined, { keyId: "key_any", rateLimit: 5 }, "/api/organizations")).toEqual({
      refused: false,
      headers: {},
    });
    const resHeaders = new Headers();
    const caller = createCaller(context(bob.apiKey, resHeaders));
    for (let index = 0; index < LIMIT + 2; index += 1) await caller.organizations.list();
    expect([...resHeaders.keys()]).toEqual([]);
  });
});
