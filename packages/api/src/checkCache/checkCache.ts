// What the check path remembers between requests, per instance: verified keys, granted agent access, and the
// blocked numbers of recently checked agents. Every entry is used only while change notifications are proven to
// arrive (changeListener in @blocklist/db: a heartbeat sent through the ordinary pool came back on the listening
// connection less than `trustMs` ago): a change committed anywhere reaches every instance through them, and
// while they do not arrive, nothing here is used and everything goes to the database.
import type { PrismaClient } from "@blocklist/db";
import type { KeyRateLimit } from "../rateLimit/budget";
import { type Change, parseChange } from "./changes";
import { LoadingCache } from "./loadingCache";

/** What a key lookup found: a key that exists (revoked or not). Unknown keys are never cached. */
export interface KnownKey {
  keyId: string;
  userId: string;
  readOnly: boolean;
  revoked: boolean;
  rateLimit: KeyRateLimit;
}

export interface CheckCacheOptions {
  /** Most blocked numbers held, all agents together (the memory bound of the number sets). */
  maxNumbers: number;
  /** How long after the send of the last heartbeat heard on the listening connection entries are trusted. */
  trustMs?: number;
  /** Reports a failed background load (it never fails a request). */
  onLoadError?: (error: unknown) => void;
}

// At most this long between a change's commit and every instance acting on it, whatever happens to the
// notifications: a heartbeat sent at `since` proves every change committed before `since` delivered, and trusts
// entries until `since + DEFAULT_TRUST_MS` only. Heartbeats go out every HEARTBEAT_MS, so that trust lasts
// while each comes back within the remaining 750 ms.
export const DEFAULT_TRUST_MS = 1000;
export const HEARTBEAT_MS = DEFAULT_TRUST_MS / 4;
// A few hundred bytes each: 10,000 keys or 100,000 (user, agent) pairs stay within a few MB.
const MAX_KEYS = 10_000;
const MAX_ACCESS_PAIRS = 100_000;

/** An agent with more numbers than a share of the budget: its checks use the index instead. */
const TOO_LARGE = Symbol("too large to hold");
type NumberSet = Set<string> | typeof TOO_LARGE;

const accessKey = (userId: string, agentId: string) => `${userId}\u0000${agentId}`;

export class CheckCache {
  readonly #trustMs: number;
  readonly #maxNumbersPerAgent: number;
  readonly #onLoadError: (error: unknown) => void;
  readonly #keys: LoadingCache<string, KnownKey | null>;
  readonly #access: LoadingCache<string, boolean>;
  readonly #numbers: LoadingCache<string, NumberSet>;
  #listening = false;
  #trustedUntil = 0;
  /** Background loads of number sets, until they settle. */
  readonly #numberLoads = new Set<Promise<unknown>>();

  constructor(
    /** The client whose database the notifications describe; other clients never use this cache. */
    readonly db: PrismaClient,
    options: CheckCacheOptions,
  ) {
    this.#trustMs = options.trustMs ?? DEFAULT_TRUST_MS;
    // One agent may take a quarter of the budget, so that two large agents checked in turn cannot evict each
    // other on every call.
    this.#maxNumbersPerAgent = Math.floor(options.maxNumbers / 4);
    this.#onLoadError = options.onLoadError ?? (() => {});
    const mayStore = () => this.trusted;
    this.#keys = new LoadingCache({ maxWeight: MAX_KEYS, mayStore });
    this.#access = new LoadingCache({ maxWeight: MAX_ACCESS_PAIRS, mayStore });
    this.#numbers = new LoadingCache<string, NumberSet>({
      maxWeight: options.maxNumbers,
      weightOf: (set) => (set === TOO_LARGE ? 1 : Math.max(1, set.size)),
      mayStore,
    });
  }

  /** Whether entries may be used: a heartbeat sent less than `trustMs` ago arrived on the listening connection. */
  get trusted(): boolean {
    return this.#listening && performance.now() < this.#trustedUntil;
  }

  // ---- The listener's side (ChangeListenerEvents) ----

  /**
   * LISTEN is in place again: changes may have been missed before it, so start from empty, and trust nothing
   * until a heartbeat proves that notifications arrive.
   */
  listening(): void {
    this.#clear();
    this.#listening = true;
    this.#trustedUntil = 0;
  }

  /** A heartbeat sent at `since` arrived: every change committed before it has been applied. */
  delivered(since: number): void {
    if (this.#listening) this.#trustedUntil = Math.max(this.#trustedUntil, since + this.#trustMs);
  }

  lost(): void {
    this.#listening = false;
    this.#clear();
  }

  /** Applies one notification: drops what it may have made untrue. */
  apply(payload: string): void {
    const change = parseChange(payload);
    if (change === undefined) this.#clear();
    else this.#applyChange(change);
  }

  // ---- The check path's side ----

  /** The key with this SHA-256 hash (hex), from memory or from `load`; null when no such key exists. */
  async key(hashHex: string, load: () => Promise<KnownKey | null>): Promise<KnownKey | null> {
    if (!this.trusted) return load();
    return this.#keys.getOrLoad(hashHex, load, (key) => key !== null);
  }

  /** Whether the user may see the agent, from memory or from `load`. Only granted access is remembered. */
  async access(userId: string, agentId: string, load: () => Promise<boolean>): Promise<boolean> {
    if (!this.trusted) return load();
    return this.#access.getOrLoad(accessKey(userId, agentId), load, (granted) => granted);
  }

  /**
   * Whether the agent's list holds `e164`, when the agent's numbers are in memory; undefined otherwise (ask the
   * database), and then the numbers are loaded in the background with `load(limit)`, which returns at most
   * `limit` of them.
   */
  blocked(agentId: string, e164: string, load: (limit: number) => Promise<string[]>): boolean | undefined {
    if (this.#maxNumbersPerAgent === 0 || !this.trusted) return undefined;
    const numbers = this.#numbers.get(agentId);
    if (numbers instanceof Set) return numbers.has(e164);
    if (numbers === undefined && !this.#numbers.isLoading(agentId)) {
      const limit = this.#maxNumbersPerAgent;
      const loading = this.#numbers
        .getOrLoad(agentId, async () => {
          const loaded = await load(limit + 1);
          return loaded.length > limit ? TOO_LARGE : new Set(loaded);
        })
        .catch(this.#onLoadError)
        .finally(() => this.#numberLoads.delete(loading));
      this.#numberLoads.add(loading);
    }
    return undefined;
  }

  /** Resolves once every background load of numbers started so far has been stored or discarded. */
  async settled(): Promise<void> {
    await Promise.all([...this.#numberLoads]);
  }

  /**
   * This instance changed the agent's numbers: its next check here must see the change although the notification
   * may still be on its way, so the set is dropped. Patching it instead could apply this change after a later
   * one from another instance whose notification came first.
   */
  numbersChangedHere(agentId: string): void {
    this.#numbers.invalidate(agentId);
  }

  /** What is held, for tests and operators. */
  stats(): { keys: number; accessPairs: number; agents: number; numbers: number } {
    return {
      keys: this.#keys.size,
      accessPairs: this.#access.size,
      agents: this.#numbers.size,
      numbers: this.#numbers.weight,
    };
  }

  #clear(): void {
    this.#keys.clear();
    this.#access.clear();
    this.#numbers.clear();
  }

  #applyChange(change: Change): void {
    switch (change.kind) {
      case "entries":
        // A set holds an agent's own inbound number blocks: only a change of that agent's list, or of every
        // list, touches one. An organization's list is in no set.
        if (change.orgId === undefined) this.#numbers.clear();
        else if (change.agentId) this.#numbers.invalidate(change.agentId);
        return;
      case "keys":
        if (change.hashes === undefined) this.#keys.clear();
        else for (const hash of change.hashes) this.#keys.invalidate(hash);
        return;
      case "memberships": {
        if (change.userIds === undefined) {
          this.#access.clear();
          return;
        }
        const prefixes = change.userIds.map((userId) => accessKey(userId, ""));
        this.#access.invalidateWhere((key) => prefixes.some((prefix) => key.startsWith(prefix)));
        return;
      }
      case "agents": {
        if (change.agentIds === undefined) {
          this.#access.clear();
          this.#numbers.clear();
          return;
        }
        const suffixes = change.agentIds.map((agentId) => accessKey("", agentId));
        this.#access.invalidateWhere((key) => suffixes.some((suffix) => key.endsWith(suffix)));
        for (const agentId of change.agentIds) this.#numbers.invalidate(agentId);
        return;
      }
    }
  }
}
