// Reads that a streaming replica (DATABASE_REPLICA_URL) may answer, with the primary as the fallback. Which read
// goes where is docs/DECISIONS.md, "Reads from a replica"; this file only routes:
// - a read that tolerates lag runs on the replica as it is;
// - a read that must see every change committed before it began (the check cache's loads: a stale load would
//   be held until the list changes again) runs on the replica once it has replayed as far as the primary had
//   written when the read began, else on the primary;
// - a replica that cannot be reached, or cuts a read off, is left alone: reads go to the primary at once, the
//   failed read too, and a probe every PROBE_MS brings the replica back when it answers again.
import pg from "pg";

/** How long a replica query may take before it is abandoned and asked of the primary instead. */
export const REPLICA_QUERY_TIMEOUT_MS = 10_000;
/** While the replica is down, how often it is probed. */
export const REPLICA_PROBE_MS = 1000;
/** How long a caught-up read waits for the replica to replay far enough before it goes to the primary. */
const CATCH_UP_WAIT_MS = 200;
const CATCH_UP_POLL_MS = 10;

export type ReadFreshness = "lagging" | "caught-up";

export interface ReplicaStats {
  /** Whether reads go to the replica now. */
  up: boolean;
  /** Reads the replica answered. */
  replicaReads: number;
  /** Replica-eligible reads the primary answered: the replica down, behind, or failing that read. */
  primaryReads: number;
}

export interface ReplicaEvents {
  /** The replica stopped answering (reads go to the primary) or answers again. */
  onReplicaChange?: (state: { up: boolean; error?: unknown }) => void;
}

/** The server answered the query with an error of its own (not a connection that failed or went away). */
function isQueryError(error: unknown): boolean {
  if (!(error instanceof pg.DatabaseError)) return false;
  // Class 08 (connection exception), 57P01–57P03 (terminated, crash, starting or stopping), 53300 (too many).
  return !/^(08|57P0[123]|53300)/.test(error.code ?? "");
}

type QueryArgs = [config: string | pg.QueryConfig, values?: unknown[]];

/** The replica's pool and its state, shared by the two kinds of reads (ReplicaReads). */
export class ReplicaRouter {
  readonly #replica: pg.Pool;
  readonly #primary: pg.Pool;
  readonly #events: ReplicaEvents;
  #up = true;
  #probe: NodeJS.Timeout | undefined;
  #ended = false;
  readonly #counts = { replicaReads: 0, primaryReads: 0 };

  constructor(replica: pg.Pool, primary: pg.Pool, events: ReplicaEvents = {}) {
    this.#replica = replica;
    this.#primary = primary;
    this.#events = events;
    // An idle connection of the replica's that breaks (the replica stopped) must not end the process.
    replica.on("error", (error) => this.#markDown(error));
  }

  stats(): ReplicaStats {
    return { up: this.#up, ...this.#counts };
  }

  async read(freshness: ReadFreshness, args: QueryArgs): Promise<pg.QueryResult> {
    if (this.#up) {
      // Asked of the primary outside the try: a primary that fails fails the read, it says nothing of the replica.
      const position = freshness === "caught-up" ? await this.#primaryPosition() : undefined;
      try {
        if (position === undefined || (await this.#caughtUpWith(position))) {
          const result = await this.#replica.query(...args);
          this.#counts.replicaReads++;
          return result;
        }
      } catch (error) {
        if (!isQueryError(error)) this.#markDown(error);
        // A query error (a conflict with recovery, a migration not replayed yet) is asked of the primary too:
        // its answer, or its error, is the one that counts.
      }
    }
    this.#counts.primaryReads++;
    return this.#primary.query(...args);
  }

  /** Where the primary's WAL was written to: every change notified so far is before it. */
  async #primaryPosition(): Promise<string> {
    const { rows } = await this.#primary.query<[string]>({
      text: "SELECT pg_current_wal_lsn()::text",
      rowMode: "array",
    });
    return rows[0]?.[0] ?? "0/0";
  }

  /**
   * Whether the replica has replayed up to `position`, waiting a little for it. A server that is not in recovery
   * (a replica promoted, or the primary named as its own replica) is always caught up.
   */
  async #caughtUpWith(position: string): Promise<boolean> {
    const deadline = Date.now() + CATCH_UP_WAIT_MS;
    for (;;) {
      const { rows } = await this.#replica.query<[boolean]>({
        text: "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn",
        values: [position],
        rowMode: "array",
      });
      if (rows[0]?.[0] === true) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
    }
  }

  #markDown(error: unknown): void {
    if (!this.#up || this.#ended) return;
    this.#up = false;
    this.#events.onReplicaChange?.({ up: false, error });
    this.#probe = setInterval(() => void this.#tryAgain(), REPLICA_PROBE_MS);
    this.#probe.unref();
  }

  async #tryAgain(): Promise<void> {
    try {
      await this.#replica.query("SELECT 1");
    } catch {
      return;
    }
    if (this.#up || this.#ended) return;
    clearInterval(this.#probe);
    this.#up = true;
    this.#events.onReplicaChange?.({ up: true });
  }

  async end(): Promise<void> {
    this.#ended = true;
    clearInterval(this.#probe);
    await this.#replica.end();
  }
}

/**
 * The pool of a client whose reads the router routes (laggingReadsOf / caughtUpReadsOf in client.ts). A pg.Pool
 * only so that Prisma's adapter takes it; it opens no connection of its own and runs no transaction.
 */
export class ReplicaReads extends pg.Pool {
  readonly #router: ReplicaRouter;
  readonly #freshness: ReadFreshness;

  constructor(router: ReplicaRouter, freshness: ReadFreshness) {
    super({ max: 1 });
    this.#router = router;
    this.#freshness = freshness;
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads (callbacks, typed rows); only the promise form is used.
  override query(...args: any[]): any {
    if (args.some((arg) => typeof arg === "function")) throw new Error("ReplicaReads: promise form only");
    return this.#router.read(this.#freshness, args as QueryArgs);
  }

  override connect(): Promise<pg.PoolClient> {
    return Promise.reject(new Error("ReplicaReads: reads only, no transactions (use the primary client)"));
  }
}

export function replicaPool(connectionString: string, options: pg.PoolConfig): pg.Pool {
  return new pg.Pool({ connectionString, ...options, query_timeout: REPLICA_QUERY_TIMEOUT_MS });
}
