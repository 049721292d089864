import { expireDueEntries, type PrismaClient } from "@blocklist/db";
import type { ProcessLogger } from "../observability/context";
import { type PeriodicJob, startPeriodicJob } from "./periodicJob";

/** How often the server records expiries that have passed (docs/ENTRIES-PLAN.md, the `expired` column). */
export const EXPIRY_SWEEP_INTERVAL_MS = 5_000;

export interface ExpirySweeperOptions {
  db: PrismaClient;
  logger: Pick<ProcessLogger, "warn" | "info">;
  intervalMs?: number;
}

/** Stops the timer and waits for a sweep under way (at shutdown, before the database client goes). */
export type ExpirySweeper = PeriodicJob;

/**
 * Records the expiry of entries past it (`expired = true`) every `intervalMs`. Nothing waits for it, since reads
 * judge expiry by the clock; it takes expired entries out of the unique index of active ones and gives history its
 * one `expired` event. A failing sweep is logged once per run of failures and tried again at the next tick; it
 * never throws. Several instances may sweep at once: the statement skips rows another holds.
 */
export function startExpirySweeper(options: ExpirySweeperOptions): ExpirySweeper {
  const { db, logger, intervalMs = EXPIRY_SWEEP_INTERVAL_MS } = options;
  return startPeriodicJob({
    logger,
    intervalMs,
    run: () => expireDueEntries(db),
    failing: `Expired entries cannot be recorded: trying again every ${intervalMs} ms`,
    recovered: "Expired entries are recorded again",
  });
}
