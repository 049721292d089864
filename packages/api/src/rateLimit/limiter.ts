// A fixed-window budget of cost units per API key, shared by every instance through PostgreSQL without a
// database round trip per request: each instance decides from memory (the total it last read back plus its own
// counts not yet written) and writes its counts in one batched statement every FLUSH_INTERVAL_MS, reading back
// the totals of all instances. docs/DECISIONS.md ("Rate limiting") gives the bound on overshoot. Which budget a
// key has, and what a request costs, are decided by the caller (admission.ts): the limiter only counts.
import type { PrismaClient } from "@blocklist/db";
import { type ProcessLogger, processLogger, reportError } from "../observability/context";
import type { Budget } from "./budget";
import { addToCounters, type CounterIncrement, deleteCountersBefore } from "./counters";

export const FLUSH_INTERVAL_MS = 250;

export interface RateLimitDecision {
  allowed: boolean;
  /** Units the key may spend per window. */
  limit: number;
  /** Units left in this window after these (when refused: what is left, which is less than was asked). */
  remaining: number;
  /** Whole seconds until the window ends and the budget is whole again (at least 1). */
  resetSeconds: number;
  windowSeconds: number;
}

export interface RateLimiterOptions {
  /** The client to write counters with; a function, so that a client rebuilt after an outage is used. */
  db: () => PrismaClient;
  /** The budget of a key without one of its own (RATE_LIMIT_REQUESTS; "unlimited" when that is 0). */
  defaultBudget: Budget;
  windowSeconds: number;
  /** How often the timer of start() flushes; tests call flush() themselves. */
  flushIntervalMs?: number;
  /** ms since the epoch; tests move it by hand. */
  now?: () => number;
  logger?: Pick<ProcessLogger, "warn" | "info">;
  /** Called with a route's bounded label for each refused request (the metrics count them). */
  onRefusal?: (route: string) => void;
}

/** One key's view of the current window on this instance. */
interface KeyWindow {
  windowStart: number;
  /** All instances' total as last read back from the database (our flushed counts included). */
  known: number;
  /** Units admitted here, being written by the flush under way. */
  flushing: number;
  /** Units admitted here since, not written yet. */
  pending: number;
}

export class RateLimiter {
  readonly defaultBudget: Budget;
  readonly windowSeconds: number;
  private readonly windowMs: number;
  private readonly db: () => PrismaClient;
  private readonly now: () => number;
  private readonly flushIntervalMs: number;
  private readonly logger: Pick<ProcessLogger, "warn" | "info"> | undefined;
  private readonly onRefusal: ((route: string) => void) | undefined;
  private readonly keys = new Map<string, KeyWindow>();
  private flushChain: Promise<void> = Promise.resolve();
  private flushInProgress = false;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private cleanedUpThrough = Number.NEGATIVE_INFINITY;

  constructor(options: RateLimiterOptions) {
    if (options.defaultBudget !== "unlimited") requireBudget(options.defaultBudget);
    this.defaultBudget = options.defaultBudget;
    this.windowSeconds = options.windowSeconds;
    this.windowMs = options.windowSeconds * 1000;
    this.db = options.db;
    this.now = options.now ?? Date.now;
    this.flushIntervalMs = options.flushIntervalMs ?? FLUSH_INTERVAL_MS;
    this.logger = options.logger;
    this.onRefusal = options.onRefusal;
  }

  /** Notes a request refused on `route` (admission.ts calls it). */
  refused(route: string): void {
    this.onRefusal?.(route);
  }

  /**
   * Counts `units` of `keyId` if they fit in what is left of its `limit` this window. Synchronous and in memory:
   * it never waits for the database. Units refused are not counted.
   */
  take(keyId: string, limit: number, units = 1): RateLimitDecision {
    requireBudget(limit);
    const now = this.now();
    const windowStart = this.windowStartOf(now);
    let window = this.keys.get(keyId);
    if (window === undefined || window.windowStart !== windowStart) {
      // Counts of an ended window that were not written yet are dropped: nobody asks about that window again.
      window = { windowStart, known: 0, flushing: 0, pending: 0 };
      this.keys.set(keyId, window);
    }
    const used = window.known + window.flushing + window.pending;
    const resetSeconds = Math.max(1, Math.ceil((windowStart + this.windowMs - now) / 1000));
    const decision = { limit, resetSeconds, windowSeconds: this.windowSeconds };
    if (used + units > limit) return { ...decision, allowed: false, remaining: Math.max(0, limit - used) };
    window.pending += units;
    return { ...decision, allowed: true, remaining: limit - used - units };
  }

  /**
   * Writes every count not written yet and reads back the totals, in one statement. Never throws: when the
   * database cannot be reached the counts stay pending (so this instance keeps limiting on its own counts) and
   * are written once it answers again. Resolves after every count admitted before the call was tried.
   */
  flush(): Promise<void> {
    // flushOnce handles database errors itself; anything else is a bug, reported but never an unhandled rejection
    // (which would end the process) nor a chain stuck in the rejected state.
    this.flushChain = this.flushChain
      .then(() => this.flushOnce())
      .catch((error: unknown) => reportError(error, "rate limiter"));
    return this.flushChain;
  }

  /** Flushes every FLUSH_INTERVAL_MS in the background; the timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A slow database must not pile flushes up: the next tick carries whatever this one could not.
      if (!this.flushInProgress) void this.flush();
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending (at shutdown, before the database client is closed). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private windowStartOf(time: number): number {
    return Math.floor(time / this.windowMs) * this.windowMs;
  }

  private async flushOnce(): Promise<void> {
    this.flushInProgress = true;
    try {
      const currentWindow = this.windowStartOf(this.now());
      const batch: CounterIncrement[] = [];
      for (const [keyId, window] of this.keys) {
        if (window.pending > 0) {
          window.flushing = window.pending;
          window.pending = 0;
          batch.push({ keyId, windowStart: window.windowStart, count: window.flushing });
        } else if (window.windowStart < currentWindow) {
          this.keys.delete(keyId);
        }
      }
      try {
        const totals = await addToCounters(this.db(), batch);
        const totalOf = new Map(totals.map((total) => [`${total.keyId} ${total.windowStart}`, total.count]));
        for (const increment of batch) {
          const window = this.keys.get(increment.keyId);
          if (window?.windowStart !== increment.windowStart) continue;
          window.known =
            totalOf.get(`${increment.keyId} ${increment.windowStart}`) ?? window.known + window.flushing;
          window.flushing = 0;
        }
        await this.deleteEndedWindows(currentWindow);
        this.noteFlushWorked();
      } catch (error) {
        for (const increment of batch) {
          const window = this.keys.get(increment.keyId);
          if (window?.windowStart === increment.windowStart) {
            window.pending += window.flushing;
            window.flushing = 0;
          }
        }
        this.noteFlushFailed(error);
      }
    } finally {
      this.flushInProgress = false;
    }
  }

  // Once per window and instance: the counters of windows before the previous one are no longer read.
  private async deleteEndedWindows(currentWindow: number): Promise<void> {
    if (this.cleanedUpThrough >= currentWindow) return;
    await deleteCountersBefore(this.db(), currentWindow - this.windowMs);
    this.cleanedUpThrough = currentWindow;
  }

  // Logged once per outage, not four times a second.
  private noteFlushFailed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.log(
      "warn",
      { err: error },
      "Rate-limit counters cannot be written: each instance limits on its own counts until the database answers",
    );
  }

  private noteFlushWorked(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log("info", {}, "Rate-limit counters are written again");
  }

  private log(level: "warn" | "info", fields: object, message: string): void {
    const logger = this.logger ?? processLogger();
    if (logger) logger[level](fields, message);
    // biome-ignore lint/suspicious/noConsole: the fallback for a limiter built without a logger (tests)
    else console[level](message, fields);
  }
}

function requireBudget(limit: number): void {
  if (!(Number.isInteger(limit) && limit >= 1))
    throw new RangeError("A rate limit needs a budget of at least 1 unit");
}
