import type { PrismaClient } from "@blocklist/db";

// lastUsedAt is a hint for people reviewing keys, not an audit log: one write per key per minute is enough.
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export interface KeyUseOptions {
  /** Milliseconds since the epoch; Date.now by default (tests pass a clock of their own). */
  now?: () => number;
}

/**
 * Records when each key was last used: fire-and-forget (a request never waits for it and never fails because of
 * it), and at most once per LAST_USED_WRITE_INTERVAL_MS per key in this process.
 */
export class KeyUseRecorder {
  readonly #now: () => number;
  readonly #writtenAt = new Map<string, number>();
  readonly #writing = new Set<Promise<void>>();

  constructor(options: KeyUseOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  record(db: PrismaClient, keyId: string): void {
    const now = this.#now();
    const last = this.#writtenAt.get(keyId);
    if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.#writtenAt.set(keyId, now);
    const write = db.apiKey
      .update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) }, select: { id: true } })
      .then(
        () => {},
        () => {
          // The key may have been deleted meanwhile; the next use will try again.
          this.#writtenAt.delete(keyId);
        },
      )
      .finally(() => this.#writing.delete(write));
    this.#writing.add(write);
  }

  /** Resolves once every write started so far has finished: what a test waits for before reading lastUsedAt. */
  async settled(): Promise<void> {
    await Promise.all(this.#writing);
  }
}
