// Says in the log when the check cache stops or starts answering from memory: once per change, never once per
// heartbeat. Trust also ends by time passing (no heartbeat came back), so the state is looked at on a timer.
import type { ProcessLogger } from "../observability/context";

export interface TrustReportOptions {
  /** How often to look. */
  intervalMs: number;
  /** How long a new instance may take to be trusted before that counts as a change to "off". */
  graceMs: number;
  logger: () => ProcessLogger | undefined;
}

export interface TrustReport {
  /** The listening connection is back (a later "off" is about heartbeats again). */
  listening(): void;
  /** The listening connection was lost: said at once. */
  lost(error: unknown): void;
  stop(): void;
}

const NOT_ARRIVING =
  "Check cache off: heartbeat notifications sent through the database pool do not arrive on the listening " +
  "connection, using the database (if a pooler in transaction mode is in between, DATABASE_DIRECT_URL must " +
  "reach PostgreSQL directly: docs/OPERATIONS.md)";

export function reportTrust(cache: { readonly trusted: boolean }, options: TrustReportOptions): TrustReport {
  const startedAt = performance.now();
  /** What was last said: undefined until the first trust (or the grace ran out). */
  let said: "on" | "off" | undefined;
  let lostError: unknown;

  const look = () => {
    if (cache.trusted) {
      if (said === "off") options.logger()?.info({}, "Check cache on again: change notifications arrive");
      said = "on";
      return;
    }
    if (said === "off" || (said === undefined && performance.now() - startedAt < options.graceMs)) return;
    said = "off";
    if (lostError === undefined) options.logger()?.warn({}, NOT_ARRIVING);
    else
      options
        .logger()
        ?.warn({ err: lostError }, "Check cache off: change notifications lost, using the database");
  };
  const timer = setInterval(look, options.intervalMs);
  timer.unref();

  return {
    listening() {
      lostError = undefined;
    },
    lost(error) {
      lostError = error;
      look();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
