// What the check path remembers between requests, per instance: verified keys, granted agent access, and the
// entries of recently checked lists (an agent's own and its organization's), indexed for the decision. Every entry is used only while change notifications are proven to
// arrive (changeListener in @blocklist/db: a heartbeat sent through the ordinary pool came back on the listening
// connection less than `trustMs` ago): a change committed anywhere reaches every instance through them, and
// while they do not arrive, nothing here is used and everything goes to the database.
import {
  type CheckDirection,
  type CheckedCaller,
  type DecisionEntry,
  decide,
  type EntryList,
  ListIndex,
} from "@blocklist/core";
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
  /** Most entries held, all lists together (the memory bound of the list indexes). */
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

/** A list with more entries than a share of the budget: checks of it use the database's indexes instead. */
const TOO_LARGE = Symbol("too large to hold");
type HeldList = ListIndex | typeof TOO_LARGE;

/** Reads up to `limit` active entries of a list (the service's loader: loadListEntries of @blocklist/db). */
export type ListLoader = (list: EntryList, limit: number) => Promise<DecisionEntry[]>;

const accessKey = (userId: string, agentId: string) => `${userId}\u0000${agentId}`;
/** An agent's own list and an organization's list never share a key: agent and org ids differ in prefix. */
const listKey = (list: EntryList) => list.agentId ?? list.orgId;

export class CheckCache {
  readonly #trustMs: number;
  readonly #maxEntriesPerList: number;
  readonly #onLoadError: (error: unknown) => void;
  readonly #keys: LoadingCache<string, KnownKey | null>;
  /** (user, agent) → the agent's organization, for granted access only. */
  readonly #access: LoadingCache<string, string | null>;
  readonly #lists: LoadingCache<string, HeldList>;
  #listening = false;
  #trustedUntil = 0;
  /** Background loads of lists, until they settle. */
  readonly #listLoads = new Set<Promise<unknown>>();

  constructor(
    /** The client whose database the notifications describe; other clients never use this cache. */
    readonly db: PrismaClient,
    options: CheckCacheOptions,
  ) {
    this.#trustMs = options.trustMs ?? DEFAULT_TRUST_MS;
    // One list may take a quarter of the budget, so that an agent's list and its organization's, or two large
    // lists checked in turn, cannot evict each other on every call.
    this.#maxEntriesPerList = Math.floor(options.maxNumbers / 4);
    this.#onLoadError = options.onLoadError ?? (() => {});
    const mayStore = () => this.trusted;
    this.#keys = new LoadingCache({ maxWeight: MAX_KEYS, mayStore });
    this.#access = new LoadingCache({ maxWeight: MAX_ACCESS_PAIRS, mayStore });
    this.#lists = new LoadingCache<string, HeldList>({
      maxWeight: options.maxNumbers,
      weightOf: (list) => (list === TOO_LARGE ? 1 : Math.max(1, list.size)),
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

  /** Applies one notification: drops what it changed. */
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

  /**
   * The agent's organization when the user may see the agent (null when not), from memory or from `load`. Only
   * granted access is remembered.
   */
  async access(userId: string, agentId: string, load: () => Promise<string | null>): Promise<string | null> {
    if (!this.trusted) return load();
    return this.#access.getOrLoad(accessKey(userId, agentId), load, (orgId) => orgId !== null);
  }

  /**
   * The entry that decides `caller` for the agent (null: none matches), when the agent's list and its
   * organization's are both in memory; undefined otherwise (ask the database), and then the missing lists are
   * loaded in the background with `load`.
   */
  decide(
    list: EntryList & { agentId: string },
    caller: CheckedCaller,
    direction: CheckDirection,
    load: ListLoader,
  ): DecisionEntry | null | undefined {
    if (this.#maxEntriesPerList === 0 || !this.trusted) return undefined;
    const agent = this.#held(list, load);
    const org = this.#held({ orgId: list.orgId, agentId: null }, load);
    if (agent === undefined || org === undefined) return undefined;
    // Expiry is exact: an entry past its expiresAt never decides, whether or not its expiry was recorded yet.
    return decide({ agent, org }, caller, direction, Date.now());
  }

  /** Resolves once every background load of lists started so far has been stored or discarded. */
  async settled(): Promise<void> {
    await Promise.all([...this.#listLoads]);
  }

  /**
   * This instance changed the list: its next check here must see the change although the notification may still
   * be on its way, so the list is dropped.
   */
  entriesChangedHere(list: EntryList): void {
    this.#lists.invalidate(listKey(list));
  }

  /** The list's index when held; else undefined, and its load starts unless one runs. */
  #held(list: EntryList, load: ListLoader): ListIndex | undefined {
    const key = listKey(list);
    const held = this.#lists.get(key);
    if (held instanceof ListIndex) return held;
    if (held === undefined && !this.#lists.isLoading(key)) {
      const limit = this.#maxEntriesPerList;
      const loading = this.#lists
        .getOrLoad(key, async () => {
          const entries = await load(list, limit + 1);
          return entries.length > limit ? TOO_LARGE : ListIndex.of(entries);
        })
        .catch(this.#onLoadError)
        .finally(() => this.#listLoads.delete(loading));
      this.#listLoads.add(loading);
    }
    return undefined;
  }

  /** What is held, for tests and operators. */
  stats(): { keys: number; accessPairs: number; lists: number; entries: number } {
    return {
      keys: this.#keys.size,
      accessPairs: this.#access.size,
      lists: this.#lists.size,
      entries: this.#lists.weight,
    };
  }

  #clear(): void {
    this.#keys.clear();
    this.#access.clear();
    this.#lists.clear();
  }

  #applyChange(change: Change): void {
    switch (change.kind) {
      case "entries":
        if (change.orgId === undefined) this.#lists.clear();
        else this.#lists.invalidate(listKey({ orgId: change.orgId, agentId: change.agentId ?? null }));
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
          this.#lists.clear();
          return;
        }
        const suffixes = change.agentIds.map((agentId) => accessKey("", agentId));
        this.#access.invalidateWhere((key) => suffixes.some((suffix) => key.endsWith(suffix)));
        for (const agentId of change.agentIds) this.#lists.invalidate(agentId);
        return;
      }
    }
  }
}
