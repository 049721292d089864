// GET /api/ready: may this instance take traffic? Yes when the database answers and has every migration this
// build expects. Probes may come every second from several places: one check runs at a time and its answer
// is reused for a second.
import { appliedMigrationNames, getPrismaClient } from "@blocklist/db";
import { processLogger } from "./context";

export interface ReadinessReport {
  status: "ready" | "unavailable";
  checks: {
    server: "ok" | "stopping";
    database?: "ok" | "unreachable";
    migrations?: "ok" | "pending" | "unknown";
  };
}

const REUSE_MS = 1000;
// Longer than this and the probe answers 503 at once rather than hang with the database.
const CHECK_TIMEOUT_MS = 2000;

interface ReadinessState {
  /** Names of the migrations this build ships; without them, any applied migration counts as migrated. */
  expectedMigrations?: readonly string[];
  stopping: boolean;
  latest?: { startedAt: number; settled: boolean; report: Promise<ReadinessReport> };
  lastStatus?: ReadinessReport["status"];
}

const globalStore = globalThis as typeof globalThis & { __blocklistReadiness?: ReadinessState };

function state(): ReadinessState {
  globalStore.__blocklistReadiness ??= { stopping: false };
  return globalStore.__blocklistReadiness;
}

/** The server tells which migrations must be applied (it read them from disk at start). */
export function expectMigrations(names: readonly string[]): void {
  state().expectedMigrations = [...names];
}

/** From now on the instance answers 503, so that load balancers stop sending it requests while it drains. */
export function markStopping(): void {
  const current = state();
  current.stopping = true;
  current.latest = undefined;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function probe(current: ReadinessState): Promise<ReadinessReport> {
  if (current.stopping) return { status: "unavailable", checks: { server: "stopping" } };
  let applied: string[];
  try {
    applied = await withTimeout(appliedMigrationNames(getPrismaClient()), CHECK_TIMEOUT_MS);
  } catch (error) {
    const report: ReadinessReport = {
      status: "unavailable",
      checks: { server: "ok", database: "unreachable", migrations: "unknown" },
    };
    noteChange(current, report, error);
    return report;
  }
  const expected = current.expectedMigrations;
  // The service needs its tables: no applied migration at all is never "migrated".
  const migrated = applied.length > 0 && (expected ?? []).every((name) => applied.includes(name));
  const report: ReadinessReport = migrated
    ? { status: "ready", checks: { server: "ok", database: "ok", migrations: "ok" } }
    : { status: "unavailable", checks: { server: "ok", database: "ok", migrations: "pending" } };
  noteChange(current, report);
  return report;
}

// One line when readiness changes, not one per probe.
function noteChange(current: ReadinessState, report: ReadinessReport, error?: unknown): void {
  if (current.lastStatus === report.status) return;
  const first = current.lastStatus === undefined;
  current.lastStatus = report.status;
  if (report.status === "ready") {
    if (!first) processLogger()?.info({ readiness: report.checks }, "Ready again");
    return;
  }
  processLogger()?.warn({ readiness: report.checks, err: error }, "Not ready");
}

/** The current readiness: from a check at most a second old, or from the check under way. */
export function checkReadiness(now = Date.now()): Promise<ReadinessReport> {
  const current = state();
  const latest = current.latest;
  if (latest && (!latest.settled || now - latest.startedAt < REUSE_MS)) return latest.report;
  const next = { startedAt: now, settled: false, report: probe(current) };
  void next.report.finally(() => {
    next.settled = true;
  });
  current.latest = next;
  return next.report;
}
