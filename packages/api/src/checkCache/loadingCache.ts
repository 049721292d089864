// A least-recently-used map bounded by a total weight, that loads missing values itself and refuses to store a
// load that an invalidation overtook: a value read from the database before a change was committed, but
// returned after the change's notification arrived, would otherwise be kept although it is already stale.

interface Load<V> {
  promise: Promise<V>;
  /** Set by an invalidation of the key while the load ran: its value may be used once, not stored. */
  stale: boolean;
}

export interface LoadingCacheOptions<V> {
  /** The most weight held at once; least recently used entries go first. */
  maxWeight: number;
  /** An entry's weight (1 for a key, the size for a set of numbers). */
  weightOf?: (value: V) => number;
  /** Asked before storing a loaded value: false while the cache cannot be trusted. */
  mayStore?: () => boolean;
}

export class LoadingCache<K, V> {
  readonly #entries = new Map<K, { value: V; weight: number }>();
  readonly #loads = new Map<K, Load<V>>();
  readonly #maxWeight: number;
  readonly #weightOf: (value: V) => number;
  readonly #mayStore: () => boolean;
  #weight = 0;

  constructor(options: LoadingCacheOptions<V>) {
    this.#maxWeight = options.maxWeight;
    this.#weightOf = options.weightOf ?? (() => 1);
    this.#mayStore = options.mayStore ?? (() => true);
  }

  /** Total weight held. */
  get weight(): number {
    return this.#weight;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The stored value (and marks it recently used), or undefined. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Map keeps insertion order: re-inserting moves the entry to the most recently used end.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** The stored value, without marking it used. */
  peek(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /**
   * The stored value, else the result of `load` (one load at a time per key: concurrent callers share it). The
   * result is stored when `keep` accepts it and no invalidation of `key` happened while it loaded.
   */
  async getOrLoad(key: K, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const stored = this.get(key);
    if (stored !== undefined) return stored;
    const running = this.#loads.get(key);
    if (running !== undefined) return running.promise;

    const entry: Load<V> = { promise: load(), stale: false };
    this.#loads.set(key, entry);
    try {
      const value = await entry.promise;
      if (!entry.stale && this.#mayStore() && keep(value)) this.#store(key, value);
      return value;
    } finally {
      if (this.#loads.get(key) === entry) this.#loads.delete(key);
    }
  }

  /** Whether a load of `key` is running (and still valid). */
  isLoading(key: K): boolean {
    return this.#loads.has(key);
  }

  /** Changes a stored value in place (a number added to a set) and re-weighs it; a running load turns stale. */
  update(key: K, change: (value: V) => void): void {
    this.#staleLoad(key);
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    change(entry.value);
    const weight = this.#weightOf(entry.value);
    this.#weight += weight - entry.weight;
    entry.weight = weight;
    this.#evict();
  }

  /** Drops `key`; a running load of it will not be stored. */
  invalidate(key: K): void {
    this.#staleLoad(key);
    this.#remove(key);
  }

  /** Drops every key that `matches`, and turns their running loads stale. */
  invalidateWhere(matches: (key: K) => boolean): void {
    for (const key of [...this.#loads.keys()]) if (matches(key)) this.#staleLoad(key);
    for (const key of [...this.#entries.keys()]) if (matches(key)) this.#remove(key);
  }

  /** Drops everything; no running load will be stored. */
  clear(): void {
    for (const load of this.#loads.values()) load.stale = true;
    this.#loads.clear();
    this.#entries.clear();
    this.#weight = 0;
  }

  #staleLoad(key: K): void {
    const load = this.#loads.get(key);
    if (load === undefined) return;
    load.stale = true;
    // The next caller starts a fresh load instead of sharing the stale one.
    this.#loads.delete(key);
  }

  #store(key: K, value: V): void {
    this.#remove(key);
    const weight = this.#weightOf(value);
    if (weight > this.#maxWeight) return;
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    this.#evict();
  }

  #remove(key: K): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  #evict(): void {
    for (const key of this.#entries.keys()) {
      if (this.#weight <= this.#maxWeight) return;
      this.#remove(key);
    }
  }
}
