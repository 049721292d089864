// A figure of each server, side by side: every scenario measures the service and the baseline, `check` also
// the all-in-memory reference.

export interface Pair<T> {
  service: T;
  baseline: T;
}

/** `check`'s figures also have the all-in-memory reference's: the upper limit. */
export interface Trio<T> extends Pair<T> {
  memory: T;
}

/** The same record with `map` applied to each server's value. */
export function mapEach<K extends string, T, U>(sides: Record<K, T>, map: (value: T) => U): Record<K, U> {
  return Object.fromEntries(Object.entries<T>(sides).map(([name, value]) => [name, map(value)])) as Record<
    K,
    U
  >;
}
