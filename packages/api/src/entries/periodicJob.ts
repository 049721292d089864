import type { ProcessLogger } from "../observability/context";

export interface PeriodicJobOptions {
  logger: Pick<ProcessLogger, "warn" | "info">;
  intervalMs: number;
  /** The work of one tick. */
  run: () => Promise<unknown>;
  /** Logged (warn) at the first failure of a run of failures. */
  failing: string;
  /** Logged (info) when it works again. */
  recovered: string;
}

export interface PeriodicJob {
  /** Stops the timer and waits for a run under way (at shutdown, before the database client goes). */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` on an unref'd timer, one run at a time: a slow database must not pile runs up, the
 * next tick takes what this one could not. A failing run is logged once per run of failures and tried again at
 * the next tick; it never throws. What the server's background jobs on the database share.
 */
export function startPeriodicJob(options: PeriodicJobOptions): PeriodicJob {
  const { logger, intervalMs, run } = options;
  let failing = false;
  let running: Promise<void> | undefined;

  const tick = async () => {
    try {
      await run();
      if (failing) logger.info({}, options.recovered);
      failing = false;
    } catch (error) {
      if (!failing) logger.warn({ err: error }, options.failing);
      failing = true;
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => {
      running = undefined;
    });
  }, intervalMs);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
