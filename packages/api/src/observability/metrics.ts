// The service's Prometheus metrics: one registry, made by the server at start (createMetrics) and handed to the
// HTTP layer and the rate limiter; the gauges read the database pool and the check cache they are given.
import { type PrismaClient, poolStatsOf } from "@blocklist/db";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CheckCache } from "../checkCache/checkCache";
import type { HitCounter } from "../entries/hitCounter";
import type { RequestObservation } from "./context";

/** What the gauges describe: the server's database client, its check cache and hit counter, when there are. */
export interface MetricSources {
  db?: PrismaClient;
  checkCache?: CheckCache;
  hitCounter?: HitCounter;
}

export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpRequestDuration: Histogram<"method" | "route" | "status">;
  httpRequestsInFlight: Gauge;
  numbersAdded: Counter;
  numbersRemoved: Counter;
  numbersFailed: Counter<"operation" | "reason">;
  checks: Counter<"result">;
  rateLimitRefusals: Counter<"route">;
}

// Anything else a client sends as a method is counted under one label, so labels stay few.
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export function createMetrics(sources: MetricSources = {}): ServiceMetrics {
  const poolStats = () => (sources.db ? poolStatsOf(sources.db) : undefined);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requestLabels = ["method", "route", "status"] as const;

  const checks = new Counter({
    name: "blocklist_checks_total",
    help: "blockList.check calls by result: blocked, not_blocked, invalid_number (never blocked)",
    labelNames: ["result"] as const,
    registers,
  });
  // Every result shows from the start (at 0), so that ratios and rates work before the first blocked call.
  for (const result of ["blocked", "not_blocked", "invalid_number"]) checks.inc({ result }, 0);

  new Gauge({
    name: "blocklist_check_blocked_ratio",
    help: "Share of check calls since start that answered blocked (for a recent ratio, divide the rates of blocklist_checks_total)",
    registers,
    async collect() {
      const values = (await checks.get()).values;
      const total = values.reduce((sum, sample) => sum + sample.value, 0);
      const blocked = values.find((sample) => sample.labels.result === "blocked")?.value ?? 0;
      this.set(total === 0 ? 0 : blocked / total);
    },
  });

  new Gauge({
    name: "blocklist_db_pool_connections",
    help: "Connections of the database pool, by state (active: running a query; idle: open and free)",
    labelNames: ["state"] as const,
    registers,
    collect() {
      const stats = poolStats();
      this.set({ state: "active" }, stats ? stats.total - stats.idle : 0);
      this.set({ state: "idle" }, stats?.idle ?? 0);
    },
  });
  new Gauge({
    name: "blocklist_db_pool_waiting_queries",
    help: "Queries waiting for a free database connection (the pool is at its maximum)",
    registers,
    collect() {
      this.set(poolStats()?.waiting ?? 0);
    },
  });
  new Gauge({
    name: "blocklist_check_cache_trusted",
    help: "1 while change notifications flow and blockList.check answers from memory; 0 while it uses the database",
    registers,
    collect() {
      this.set(sources.checkCache?.trusted ? 1 : 0);
    },
  });
  new Gauge({
    name: "blocklist_check_cache_entries",
    help: "What the check cache holds: keys, access (user, agent) pairs, lists whose entries are held, entries",
    labelNames: ["kind"] as const,
    registers,
    collect() {
      const stats = sources.checkCache?.stats();
      this.set({ kind: "keys" }, stats?.keys ?? 0);
      this.set({ kind: "access" }, stats?.accessPairs ?? 0);
      this.set({ kind: "lists" }, stats?.lists ?? 0);
      this.set({ kind: "entries" }, stats?.entries ?? 0);
    },
  });
  new Gauge({
    name: "blocklist_hits_pending_entries",
    help: "Entries with hits counted here and not written yet (MAX_PENDING_ENTRIES at most)",
    registers,
    collect() {
      this.set(sources.hitCounter?.pendingEntries ?? 0);
    },
  });
  let droppedReported = 0;
  new Counter({
    name: "blocklist_hits_dropped_total",
    help: "Hits not counted because too many entries had hits not written yet (the database down)",
    registers,
    collect() {
      const dropped = sources.hitCounter?.droppedHits ?? 0;
      if (dropped > droppedReported) this.inc(dropped - droppedReported);
      droppedReported = dropped;
    },
  });
  new Gauge({
    name: "blocklist_db_pool_max_connections",
    help: "Most connections the database pool opens (DATABASE_POOL_MAX)",
    registers,
    collect() {
      this.set(poolStats()?.max ?? 0);
    },
  });

  return {
    registry,
    httpRequests: new Counter({
      name: "blocklist_http_requests_total",
      help: "HTTP requests answered, by method, route and status",
      labelNames: requestLabels,
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: "blocklist_http_request_duration_seconds",
      help: "Time from receiving a request to the end of its answer, by method, route and status",
      labelNames: requestLabels,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    httpRequestsInFlight: new Gauge({
      name: "blocklist_http_requests_in_flight",
      help: "Requests being served now",
      registers,
    }),
    numbersAdded: new Counter({
      name: "blocklist_numbers_added_total",
      help: "Numbers added to block lists",
      registers,
    }),
    numbersRemoved: new Counter({
      name: "blocklist_numbers_removed_total",
      help: "Numbers removed from block lists",
      registers,
    }),
    numbersFailed: new Counter({
      name: "blocklist_numbers_failed_total",
      help: "Numbers of add and remove requests that were reported in `failed`, by operation and reason",
      labelNames: ["operation", "reason"] as const,
      registers,
    }),
    checks,
    rateLimitRefusals: new Counter({
      name: "blocklist_rate_limit_refusals_total",
      help: "Requests refused by a rate limit, by route",
      labelNames: ["route"] as const,
      registers,
    }),
  };
}

/** Records one finished request: its count, its duration and what it did. */
export function recordRequest(
  metrics: ServiceMetrics,
  observation: RequestObservation,
  labels: { route: string; status: number },
  durationSeconds: number,
): void {
  const method = KNOWN_METHODS.has(observation.method) ? observation.method : "OTHER";
  const requestLabels = { method, route: labels.route, status: String(labels.status) };
  metrics.httpRequests.inc(requestLabels);
  metrics.httpRequestDuration.observe(requestLabels, durationSeconds);
  for (const outcome of observation.bulk) {
    (outcome.operation === "add" ? metrics.numbersAdded : metrics.numbersRemoved).inc(outcome.changed);
    for (const [reason, count] of Object.entries(outcome.failedByReason)) {
      metrics.numbersFailed.inc({ operation: outcome.operation, reason }, count);
    }
  }
  for (const check of observation.checks) {
    const result = check.blocked === null ? "invalid_number" : check.blocked ? "blocked" : "not_blocked";
    metrics.checks.inc({ result });
  }
}

/** The text a Prometheus scrape gets, and its content type. */
export async function renderMetrics({
  registry,
}: ServiceMetrics): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
