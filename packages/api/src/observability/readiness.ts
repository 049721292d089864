// GET /api/ready: may this instance take traffic? Yes when the database answers and has every migration this
// build expects. Probes may come every second from several places: one check runs at a time and its answer
// is reused for a second.
import { appliedMigrationNames, type PrismaClient } from "@blocklist/db";
import type { ProcessLogger } from "./context";

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

export interface ReadinessOptions {
  db: PrismaClient;
  /** Names of the migrations this build ships; without them, any applied migration counts as migrated. */
  expectedMigrations?: readonly string[];
  logger?: Pick<ProcessLogger, "info" | "warn">;
}

interface ReadinessState {
  db: PrismaClient;
  expectedMigrations?: readonly string[];
  logger?: Pick<ProcessLogger, "info" | "warn">;
  stopping: boolean;
  latest?: { startedAt: number; settled: boolean; report: Promise<ReadinessReport> };
  lastStatus?: ReadinessReport["status"];
}

/** The instance's readiness, made by the server at start and asked by GET /api/ready. */
export class Readiness {
  readonly #state: ReadinessState;

  constructor(options: ReadinessOptions) {
    this.#state = { ...options, stopping: false };
  }

  /** From now on the instance answers 503, so that load balancers stop sending it requests while it drains. */
  markStopping(): void {
    this.#state.stopping = true;
    this.#state.latest = undefined;
  }

  /** The current readiness: from a check at most a second old, or from the check under way. */
  check(now = Date.now()): Promise<ReadinessReport> {
    const current = this.#state;
    const latest = current.latest;
    if (latest && (!latest.settled || now - latest.startedAt < REUSE_MS)) return latest.report;
    const next = { startedAt: now, settled: false, report: probe(current) };
    void next.report.finally(() => {
      next.settled = true;
    });
    current.latest = next;
    return next.report;
  }
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
    applied = await withTimeout(appliedMigrationNames(current.db), CHECK_TIMEOUT_MS);
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
    if (!first) current.logger?.info({ readiness: report.checks }, "Ready again");
    return;
  }
  current.logger?.warn({ readiness: report.checks, err: error }, "Not ready");
}
