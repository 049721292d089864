import { type PrismaClient, purgeHistory } from "@blocklist/db";
import type { ProcessLogger } from "../observability/context";
import { type PeriodicJob, startPeriodicJob } from "./periodicJob";

/** How often each instance deletes the history older than the retention: old rows are few and nothing waits. */
export const HISTORY_PURGE_INTERVAL_MS = 10 * 60_000;

const DAY_MS = 86_400_000;

export interface HistoryPurgerOptions {
  db: PrismaClient;
  logger: Pick<ProcessLogger, "warn" | "info">;
  /** HISTORY_RETENTION_DAYS: events older than this many days are deleted. */
  retentionDays: number;
  intervalMs?: number;
}

/** Stops the timer and waits for a purge under way (at shutdown, before the database client goes). */
export type HistoryPurger = PeriodicJob;

/**
 * Deletes history events older than `retentionDays` every `intervalMs` (purgeHistory: batches that skip locked
 * rows, so writers never wait on it). Every instance runs one; two purging at once each skip what the other holds.
 */
export function startHistoryPurger(options: HistoryPurgerOptions): HistoryPurger {
  const { db, logger, retentionDays, intervalMs = HISTORY_PURGE_INTERVAL_MS } = options;
  return startPeriodicJob({
    logger,
    intervalMs,
    run: () => purgeHistory(db, new Date(Date.now() - retentionDays * DAY_MS)),
    failing: `Old history cannot be purged: trying again every ${intervalMs} ms`,
    recovered: "Old history is purged again",
  });
}
