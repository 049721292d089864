// Hits (SPEC-ENTRIES "Hits"): each check answer decided by an entry counts for it, in memory, and every
// HITS_FLUSH_MS the counts go to the database in one statement (docs/DECISIONS.md, "Hits").
import { addEntryHits, type EntryHits, type PrismaClient } from "@blocklist/db";
import { type ProcessLogger, processLogger, reportError } from "../observability/context";

/** HITS_FLUSH_MS's default: the spec's "written at least once a second". */
export const HITS_FLUSH_MS = 1_000;

/**
 * Most entries with counts not written yet (pending and being flushed together). Reached only when flushes fail
 * (the database down) or 100,000 different entries decide checks within one interval; then a hit of an entry not
 * already pending is not counted (logged, and `droppedHits`), while pending entries keep counting. 85 bytes
 * each in V8 (measured): under 9 MB.
 */
export const MAX_PENDING_ENTRIES = 100_000;

/** One entry's hits since the last flush: mutated in place by every further hit. */
interface Pending {
  count: number;
  lastAt: number;
}

export interface HitCounterOptions {
  db: PrismaClient;
  maxPendingEntries?: number;
  logger?: Pick<ProcessLogger, "warn" | "info">;
}

export class HitCounter {
  readonly #db: PrismaClient;
  readonly #maxPending: number;
  readonly #logger: Pick<ProcessLogger, "warn" | "info"> | undefined;
  #pending = new Map<string, Pending>();
  /** The entries of the flush under way (counted against the bound: they come back if it fails). */
  #flushingEntries = 0;
  #flushChain: Promise<void> = Promise.resolve();
  #failing = false;
  #dropping = false;
  #dropped = 0;

  constructor(options: HitCounterOptions) {
    this.#db = options.db;
    this.#maxPending = options.maxPendingEntries ?? MAX_PENDING_ENTRIES;
    this.#logger = options.logger;
  }

  /** Counts one hit of `entryId` at `at` (ms since the epoch). Synchronous, in memory; nothing waits for it. */
  count(entryId: string, at: number): void {
    const pending = this.#pending.get(entryId);
    if (pending !== undefined) {
      pending.count += 1;
      if (at > pending.lastAt) pending.lastAt = at;
    } else if (this.#pending.size + this.#flushingEntries < this.#maxPending) {
      this.#pending.set(entryId, { count: 1, lastAt: at });
    } else {
      this.#drop();
    }
  }

  /** Entries with hits not written yet. */
  get pendingEntries(): number {
    return this.#pending.size + this.#flushingEntries;
  }

  /** Hits not counted because the bound was reached, since start. */
  get droppedHits(): number {
    return this.#dropped;
  }

  /**
   * Writes every count pending at the call, in one statement. Never throws: when the database cannot be reached
   * the counts stay pending and go with the next flush. Flushes run one after another.
   */
  flush(): Promise<void> {
    this.#flushChain = this.#flushChain
      .then(() => this.#flushOnce())
      .catch((error: unknown) => reportError(error, "hit counter"));
    return this.#flushChain;
  }

  async #flushOnce(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushingEntries = batch.size;
    const hits: EntryHits[] = [];
    for (const [entryId, { count, lastAt }] of batch) hits.push({ entryId, count, lastAt });
    try {
      await addEntryHits(this.#db, hits);
      if (this.#failing) this.#log("info", {}, "Hits are written again");
      this.#failing = false;
      this.#dropping = false;
    } catch (error) {
      this.#keep(batch);
      if (!this.#failing)
        this.#log(
          "warn",
          { err: error, pendingEntries: this.#pending.size },
          "Hits cannot be written: kept for the next flush",
        );
      this.#failing = true;
    } finally {
      this.#flushingEntries = 0;
    }
  }

  /** A failed batch back into what is pending, merged with what was counted meanwhile. */
  #keep(batch: Map<string, Pending>): void {
    for (const [entryId, failed] of batch) {
      const pending = this.#pending.get(entryId);
      if (pending === undefined) {
        this.#pending.set(entryId, failed);
        continue;
      }
      pending.count += failed.count;
      if (failed.lastAt > pending.lastAt) pending.lastAt = failed.lastAt;
    }
  }

  #drop(): void {
    this.#dropped += 1;
    if (this.#dropping) return;
    this.#dropping = true;
    this.#log(
      "warn",
      { maxPendingEntries: this.#maxPending },
      "Hits of further entries are not counted: too many entries have hits not written yet",
    );
  }

  #log(level: "warn" | "info", fields: object, message: string): void {
    const logger = this.#logger ?? processLogger();
    if (logger) logger[level](fields, message);
    // biome-ignore lint/suspicious/noConsole: the fallback for a counter built without a logger (tests)
    else console[level](message, fields);
  }
}

// Which counter counts the checks served through which client, like the check cache (checkCacheFor): the
// server starts one; the CLI and tests that start none count nothing.
const countersByClient = new WeakMap<PrismaClient, HitCounter>();

/** The counter started on `db`, if any. */
export function hitCounterFor(db: PrismaClient): HitCounter | undefined {
  return countersByClient.get(db);
}

export interface StartHitCounterOptions extends HitCounterOptions {
  /** HITS_FLUSH_MS. */
  flushMs?: number;
}

export interface RunningHitCounter {
  counter: HitCounter;
  /** Stops the timer and writes every count left (at shutdown, after the last request, before the client goes). */
  stop(): Promise<void>;
}

/** Counts the checks served through `options.db` and flushes every `flushMs`. */
export function startHitCounter(options: StartHitCounterOptions): RunningHitCounter {
  const { db, flushMs = HITS_FLUSH_MS } = options;
  const counter = new HitCounter(options);
  let flushing = false;
  const timer = setInterval(() => {
    // A slow database must not pile flushes up: the next tick takes what this one could not.
    if (flushing) return;
    flushing = true;
    void counter.flush().finally(() => {
      flushing = false;
    });
  }, flushMs);
  timer.unref();
  countersByClient.set(db, counter);
  return {
    counter,
    async stop() {
      clearInterval(timer);
      if (countersByClient.get(db) === counter) countersByClient.delete(db);
      await counter.flush();
      const lost = counter.pendingEntries;
      if (lost > 0) {
        const logger = options.logger ?? processLogger();
        logger?.warn({ pendingEntries: lost }, "Stopping with hits not written: the database did not answer");
      }
    },
  };
}
