import { createPrismaClient, type PrismaClient } from "@blocklist/db";
import { createTestDatabase, type TestDatabase } from "@blocklist/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rateLimitHeaders } from "./headers";
import { type RateLimitDecision, RateLimiter, type RateLimiterOptions } from "./limiter";

// The limiter against a real PostgreSQL, with a hand-moved clock so that windows start and end where the
// tests say. Each test uses key ids of its own: counters are not cleared between tests.
let database: TestDatabase;
const extraClients: PrismaClient[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(extraClients.map((client) => client.$disconnect()));
  await database?.drop();
});

const WINDOW_SECONDS = 60;
const WINDOW_MS = WINDOW_SECONDS * 1000;
// 2026-11-27 12:00:00 UTC, the start of a 60-second window.
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

class Clock {
  constructor(public time: number) {}
  readonly now = () => this.time;
}

interface LogLine {
  level: "warn" | "info";
  message: string;
}

/** Every key of a test has the same budget, `limit`: spend() holds a key to it. */
class TestLimiter extends RateLimiter {
  constructor(
    options: RateLimiterOptions,
    readonly limit: number,
  ) {
    super(options);
  }

  spend(keyId: string, units = 1): RateLimitDecision {
    return this.take(keyId, this.limit, units);
  }
}

function limiterOn(
  db: PrismaClient | (() => PrismaClient),
  options: Partial<RateLimiterOptions> & { clock: Clock; limit: number; log?: LogLine[] },
): TestLimiter {
  const { clock, log = [], limit, ...rest } = options;
  const limiterOptions: RateLimiterOptions = {
    db: typeof db === "function" ? db : () => db,
    defaultBudget: "unlimited",
    windowSeconds: WINDOW_SECONDS,
    now: clock.now,
    logger: {
      warn: (_fields, message) => log.push({ level: "warn", message }),
      info: (_fields, message) => log.push({ level: "info", message }),
    },
    ...rest,
  };
  return new TestLimiter(limiterOptions, limit);
}

function secondClient(): PrismaClient {
  const client = createPrismaClient(database.url);
  extraClients.push(client);
  return client;
}

async function storedCount(keyId: string, windowStart: number): Promise<number | undefined> {
  const counter = await database.prisma.rateLimitCounter.findUnique({
    where: { keyId_windowStart: { keyId, windowStart: new Date(windowStart) } },
    select: { count: true },
  });
  return counter?.count;
}

/** Takes `times` requests of one unit and says how many were admitted. */
function takeMany(limiter: TestLimiter, keyId: string, times: number): number {
  let admitted = 0;
  for (let index = 0; index < times; index += 1) if (limiter.spend(keyId).allowed) admitted += 1;
  return admitted;
}

describe("one instance", () => {
  it("admits `limit` requests a window, then refuses until the window ends, saying when", () => {
    const clock = new Clock(T0 + 10_200);
    const limiter = limiterOn(database.prisma, { clock, limit: 3 });
    const decisions = Array.from({ length: 4 }, () => limiter.spend("key_exceed"));
    const admitted = { allowed: true, limit: 3, resetSeconds: 50, windowSeconds: WINDOW_SECONDS };
    expect(decisions).toEqual<RateLimitDecision[]>([
      { ...admitted, remaining: 2 },
      { ...admitted, remaining: 1 },
      { ...admitted, remaining: 0 },
      { ...admitted, allowed: false, remaining: 0 },
    ]);
    expect(rateLimitHeaders(decisions[3] as RateLimitDecision)).toEqual({
      "RateLimit-Limit": "3",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "50",
      "RateLimit-Policy": "3;w=60",
      "Retry-After": "50",
    });
    expect(rateLimitHeaders(decisions[0] as RateLimitDecision)).not.toHaveProperty("Retry-After");

    clock.time = T0 + WINDOW_MS - 1;
    expect(limiter.spend("key_exceed")).toMatchObject({ allowed: false, resetSeconds: 1 });
  });

  it("counts units: what does not fit in what is left is refused, not counted, and the answer says what is left", () => {
    const clock = new Clock(T0 + 10_200);
    const limiter = limiterOn(database.prisma, { clock, limit: 150 });
    const decision = { allowed: true, limit: 150, resetSeconds: 50, windowSeconds: WINDOW_SECONDS };
    expect(limiter.spend("key_units", 101)).toEqual({ ...decision, remaining: 49 });
    expect(limiter.spend("key_units", 50)).toEqual({ ...decision, allowed: false, remaining: 49 });
    expect(limiter.spend("key_units", 49)).toEqual({ ...decision, remaining: 0 });
    expect(limiter.spend("key_units")).toEqual({ ...decision, allowed: false, remaining: 0 });
  });

  it("holds each key to the budget it is asked with, a changed one applying to what was already used", () => {
    const limiter = limiterOn(database.prisma, { clock: new Clock(T0), limit: 1 });
    expect(limiter.take("key_small", 2)).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    expect(limiter.take("key_large", 1000, 500)).toMatchObject({
      allowed: true,
      limit: 1000,
      remaining: 500,
    });
    expect(limiter.take("key_small", 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.take("key_small", 2)).toMatchObject({ allowed: false, remaining: 0 });
    // The key's budget is raised mid-window: its 2 units stay spent.
    expect(limiter.take("key_small", 5)).toMatchObject({ allowed: true, limit: 5, remaining: 2 });
    // And lowered below what it already spent: refused until the window ends.
    expect(limiter.take("key_small", 2)).toMatchObject({ allowed: false, limit: 2, remaining: 0 });
  });

  it("starts a whole new budget when the window rolls over", () => {
    const clock = new Clock(T0 + 59_000);
    const limiter = limiterOn(database.prisma, { clock, limit: 2 });
    expect(takeMany(limiter, "key_rollover", 5)).toBe(2);
    clock.time = T0 + WINDOW_MS;
    expect(limiter.spend("key_rollover")).toEqual({
      allowed: true,
      limit: 2,
      remaining: 1,
      resetSeconds: 60,
      windowSeconds: WINDOW_SECONDS,
    });
    expect(takeMany(limiter, "key_rollover", 5)).toBe(1);
  });

  it("keeps each key's budget apart", () => {
    const limiter = limiterOn(database.prisma, { clock: new Clock(T0), limit: 2 });
    expect(takeMany(limiter, "key_busy", 10)).toBe(2);
    expect(limiter.spend("key_quiet")).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("writes what it admitted, not what it refused, and keeps the budget across flushes", async () => {
    const limiter = limiterOn(database.prisma, { clock: new Clock(T0 + 1000), limit: 5 });
    expect(takeMany(limiter, "key_written", 3)).toBe(3);
    await limiter.flush();
    expect(await storedCount("key_written", T0)).toBe(3);
    expect(takeMany(limiter, "key_written", 10)).toBe(2);
    await limiter.flush();
    expect(await storedCount("key_written", T0)).toBe(5);
    expect(limiter.spend("key_written").allowed).toBe(false);
  });

  it("flushes in the background once started, and writes what is left when closed", async () => {
    const limiter = limiterOn(database.prisma, { clock: new Clock(T0), limit: 100, flushIntervalMs: 20 });
    limiter.start();
    limiter.spend("key_timer");
    await vi.waitFor(async () => expect(await storedCount("key_timer", T0)).toBe(1), {
      timeout: 30_000,
      interval: 50,
    });
    limiter.spend("key_timer");
    limiter.spend("key_timer");
    await limiter.close();
    expect(await storedCount("key_timer", T0)).toBe(3);
  });

  it("deletes the counters of windows before the previous one", async () => {
    const old = [T0 - 3 * WINDOW_MS, T0 - 2 * WINDOW_MS, T0 - WINDOW_MS].map((windowStart) => ({
      keyId: "key_old",
      windowStart: new Date(windowStart),
      count: 7,
    }));
    await database.prisma.rateLimitCounter.createMany({ data: old });
    const limiter = limiterOn(database.prisma, { clock: new Clock(T0 + 5000), limit: 10 });
    limiter.spend("key_cleanup");
    await limiter.flush();
    const left = await database.prisma.rateLimitCounter.findMany({
      where: { keyId: { in: ["key_old", "key_cleanup"] } },
      select: { keyId: true, windowStart: true },
      orderBy: { windowStart: "asc" },
    });
    expect(left).toEqual([
      { keyId: "key_old", windowStart: new Date(T0 - WINDOW_MS) },
      { keyId: "key_cleanup", windowStart: new Date(T0) },
    ]);
  });
});

describe("several instances on one database", () => {
  it("share one budget: an instance learns the others' counts at its next flush", async () => {
    const clock = new Clock(T0 + 2000);
    const first = limiterOn(database.prisma, { clock, limit: 10 });
    const second = limiterOn(secondClient(), { clock, limit: 10 });

    expect(takeMany(first, "key_shared", 6)).toBe(6);
    await first.flush();
    expect(second.spend("key_shared")).toMatchObject({ allowed: true, remaining: 9 });
    await second.flush();
    // The second instance now knows of the first one's 6 requests.
    expect(second.spend("key_shared")).toMatchObject({ allowed: true, remaining: 2 });
    expect(takeMany(second, "key_shared", 5)).toBe(2);
    await second.flush();
    expect(await storedCount("key_shared", T0)).toBe(10);

    // The first instance has not flushed since: it admits until its next flush tells it (the bounded overshoot).
    expect(first.spend("key_shared").allowed).toBe(true);
    await first.flush();
    expect(first.spend("key_shared").allowed).toBe(false);
    expect(second.spend("key_shared").allowed).toBe(false);
    expect(await storedCount("key_shared", T0)).toBe(11);
  });

  it("overshoot stays within what the instances admit in one flush interval", async () => {
    const clock = new Clock(T0 + 3000);
    const limit = 100;
    const perInterval = 7;
    const instances = [database.prisma, secondClient(), secondClient()].map((client) =>
      limiterOn(client, { clock, limit }),
    );
    let admitted = 0;
    for (let round = 0; round < 100; round += 1) {
      const admittedThisRound = instances.reduce(
        (sum, instance) => sum + takeMany(instance, "key_overshoot", perInterval),
        0,
      );
      if (admittedThisRound === 0) break;
      admitted += admittedThisRound;
      await Promise.all(instances.map((instance) => instance.flush()));
    }
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + instances.length * perInterval);
    expect(await storedCount("key_overshoot", T0)).toBe(admitted);
  });

  it("admit at most the limit each in a burst that comes before any flush, and refuse once they flush", async () => {
    const clock = new Clock(T0 + 5000);
    const instances = [database.prisma, secondClient()].map((client) =>
      limiterOn(client, { clock, limit: 10 }),
    );
    expect(instances.map((instance) => takeMany(instance, "key_burst", 100))).toEqual([10, 10]);
    await Promise.all(instances.map((instance) => instance.flush()));
    expect(instances.map((instance) => instance.spend("key_burst").allowed)).toEqual([false, false]);
    expect(await storedCount("key_burst", T0)).toBe(20);
  });

  it("lose no count when they flush the same keys at the same time", async () => {
    const clock = new Clock(T0 + 4000);
    const instances = [database.prisma, secondClient()].map((client) =>
      limiterOn(client, { clock, limit: 1_000_000 }),
    );
    const keys = Array.from({ length: 20 }, (_, index) => `key_parallel_${index}`);
    for (let round = 0; round < 10; round += 1) {
      for (const instance of instances) for (const keyId of keys) takeMany(instance, keyId, round + 1);
      await Promise.all(instances.map((instance) => instance.flush()));
    }
    const counters = await database.prisma.rateLimitCounter.findMany({
      where: { keyId: { in: keys } },
      select: { count: true },
    });
    // 2 instances × (1 + 2 + … + 10) requests for each key.
    expect(counters.map((counter) => counter.count)).toEqual(keys.map(() => 110));
  });
});

describe("when the database cannot be reached", () => {
  it("fails open: requests are still decided, on this instance's own counts, and logged once", async () => {
    const unreachable = createPrismaClient("postgresql://nobody:secret@127.0.0.1:1/none", {
      connectionTimeoutMillis: 2000,
    });
    extraClients.push(unreachable);
    let current = unreachable;
    const log: LogLine[] = [];
    const limiter = limiterOn(() => current, { clock: new Clock(T0 + 6000), limit: 3, log });

    expect(takeMany(limiter, "key_outage", 2)).toBe(2);
    await expect(limiter.flush()).resolves.toBeUndefined();
    await expect(limiter.flush()).resolves.toBeUndefined();
    expect(log).toEqual([
      {
        level: "warn",
        message:
          "Rate-limit counters cannot be written: each instance limits on its own counts until the database answers",
      },
    ]);
    // Counts that could not be written still count here.
    expect(takeMany(limiter, "key_outage", 5)).toBe(1);

    current = database.prisma;
    await limiter.flush();
    expect(await storedCount("key_outage", T0)).toBe(3);
    expect(log.at(-1)).toEqual({ level: "info", message: "Rate-limit counters are written again" });
  });
});

describe("budgets", () => {
  it("are at least one unit, by default and for each key", () => {
    expect(() => limiterOn(database.prisma, { clock: new Clock(T0), limit: 1, defaultBudget: 0 })).toThrow(
      RangeError,
    );
    const limiter = limiterOn(database.prisma, { clock: new Clock(T0), limit: 1 });
    expect(() => limiter.take("key_zero", 0)).toThrow(RangeError);
    expect(() => limiter.take("key_zero", 1.5)).toThrow(RangeError);
  });
});
