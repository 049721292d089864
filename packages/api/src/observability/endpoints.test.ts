import { ErrorMessage } from "@blocklist/core";
import { createPrismaClient, type PrismaClient } from "@blocklist/db";
import { createTestDatabase, type TestDatabase } from "@blocklist/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bearerMatches, metricsResponse, readinessResponse } from "./endpoints";
import { createMetrics } from "./metrics";
import { Readiness } from "./readiness";

const TOKEN = "s3cret-metrics-token-0123";
const metrics = createMetrics();

describe("GET /api/metrics", () => {
  const scrape = (headers: Record<string, string> = {}) =>
    metricsResponse(metrics, headers.Authorization ?? null, TOKEN);

  it("does not exist without a configured token", async () => {
    const response = await metricsResponse(metrics, "Bearer x", undefined);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: ErrorMessage.notFound });
  });

  it("refuses a missing or wrong token", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: "Bearer wrong" },
      { Authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const response = await scrape(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect(await response.json()).toEqual({ error: ErrorMessage.invalidMetricsToken });
    }
  });

  it("answers Prometheus text with the token", async () => {
    const response = await scrape({ Authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text).toContain("# TYPE blocklist_http_requests_total counter");
    expect(text).toContain("# TYPE blocklist_rate_limit_refusals_total counter");
    expect(text).toContain('blocklist_checks_total{result="blocked"} 0');
  });

  it("compares the whole token", () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer  ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN}x`, TOKEN)).toBe(false);
    expect(bearerMatches(`Basic ${TOKEN}`, TOKEN)).toBe(false);
    expect(bearerMatches(null, TOKEN)).toBe(false);
  });
});

describe("GET /api/ready", () => {
  let migrated: TestDatabase;
  let empty: TestDatabase;
  // Each case is a second later than the last, past the reuse window of a check.
  let clock = Date.now();
  const later = () => {
    clock += 1500;
    return clock;
  };
  const clients: PrismaClient[] = [];
  /** Readiness on a client of its own to `url`, expecting these migrations. */
  const readinessOn = (url: string, expectedMigrations?: string[]) => {
    const db = createPrismaClient(url, { connectionTimeoutMillis: 1000 });
    clients.push(db);
    return new Readiness({ db, ...(expectedMigrations ? { expectedMigrations } : {}) });
  };

  beforeAll(async () => {
    [migrated, empty] = await Promise.all([createTestDatabase(), createTestDatabase({ migrated: false })]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.$disconnect()));
  });
  afterAll(async () => {
    await Promise.all([migrated?.drop(), empty?.drop()]);
  });

  it("is ready when the database answers and holds every expected migration", async () => {
    const names = (
      await migrated.prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM "_prisma_migrations"`
    ).map((row) => row.migration_name);
    const readiness = readinessOn(migrated.url, names);
    expect(await readiness.check(later())).toEqual({
      status: "ready",
      checks: { server: "ok", database: "ok", migrations: "ok" },
    });
    const response = await readinessResponse(readiness, later());
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("is not ready when a migration this build ships is missing", async () => {
    const readiness = readinessOn(migrated.url, ["29991231000000_from_the_future"]);
    expect(await readiness.check(later())).toEqual({
      status: "unavailable",
      checks: { server: "ok", database: "ok", migrations: "pending" },
    });
  });

  it("is not ready on a database that was never migrated", async () => {
    const readiness = readinessOn(empty.url, []);
    expect((await readiness.check(later())).checks).toEqual({
      server: "ok",
      database: "ok",
      migrations: "pending",
    });
  });

  it("answers 503 without internals when the database cannot be reached", async () => {
    const readiness = readinessOn("postgresql://nobody:secret@127.0.0.1:1/none");
    const response = await readinessResponse(readiness, later());
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: "unavailable",
      checks: { server: "ok", database: "unreachable", migrations: "unknown" },
    });
  });

  it("reuses a check for a second", async () => {
    const readiness = readinessOn(migrated.url);
    const now = later();
    const first = readiness.check(now);
    expect(readiness.check(now + 500)).toBe(first);
    await first;
    expect(readiness.check(now + 1500)).not.toBe(first);
  });
});
