import { describe, expect, it } from "vitest";
import { LoadingCache } from "./loadingCache";

/** A load that finishes when the test says so. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

const sets = (maxWeight: number) =>
  new LoadingCache<string, Set<string>>({ maxWeight, weightOf: (set) => set.size });

describe("LoadingCache", () => {
  it("stores what it loaded and shares one load between concurrent callers", async () => {
    const cache = new LoadingCache<string, number>({ maxWeight: 10 });
    const load = deferred<number>();
    let loads = 0;
    const loader = () => {
      loads += 1;
      return load.promise;
    };
    const first = cache.getOrLoad("a", loader);
    const second = cache.getOrLoad("a", loader);
    load.resolve(1);
    expect([await first, await second]).toEqual([1, 1]);
    expect(loads).toBe(1);
    expect(await cache.getOrLoad("a", () => Promise.resolve(2))).toBe(1);
  });

  it("does not store a load that an invalidation overtook, but answers its caller with it", async () => {
    const cache = new LoadingCache<string, number>({ maxWeight: 10 });
    const load = deferred<number>();
    const pending = cache.getOrLoad("a", () => load.promise);
    cache.invalidate("a");
    // A caller after the invalidation does not share the stale load.
    const fresh = cache.getOrLoad("a", () => Promise.resolve(2));
    load.resolve(1);
    expect(await pending).toBe(1);
    expect(await fresh).toBe(2);
    expect(cache.get("a")).toBe(2);
  });

  it("does not store loads overtaken by an update, by invalidateWhere or by clear", async () => {
    const cache = new LoadingCache<string, number>({ maxWeight: 10 });
    const loads = ["a", "b", "c"].map((key) => ({ key, load: deferred<number>() }));
    const pending = loads.map(({ key, load }) => cache.getOrLoad(key, () => load.promise));
    cache.update("a", () => {});
    cache.invalidateWhere((key) => key === "b");
    cache.clear();
    for (const { load } of loads) load.resolve(1);
    expect(await Promise.all(pending)).toEqual([1, 1, 1]);
    expect(cache.size).toBe(0);
  });

  it("does not store what `keep` refuses, nor anything while `mayStore` says no", async () => {
    let trusted = false;
    const cache = new LoadingCache<string, number | null>({ maxWeight: 10, mayStore: () => trusted });
    expect(await cache.getOrLoad("a", () => Promise.resolve(1))).toBe(1);
    expect(cache.size).toBe(0);
    trusted = true;
    expect(
      await cache.getOrLoad(
        "a",
        () => Promise.resolve(null),
        (value) => value !== null,
      ),
    ).toBeNull();
    expect(cache.size).toBe(0);
    await cache.getOrLoad("a", () => Promise.resolve(1));
    expect(cache.get("a")).toBe(1);
  });

  it("forgets a failed load, so that the next caller tries again", async () => {
    const cache = new LoadingCache<string, number>({ maxWeight: 10 });
    await expect(cache.getOrLoad("a", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(cache.isLoading("a")).toBe(false);
    expect(await cache.getOrLoad("a", () => Promise.resolve(1))).toBe(1);
  });

  it("holds at most maxWeight, evicting the least recently used first", async () => {
    const cache = sets(10);
    const set =
      (...numbers: string[]) =>
      () =>
        Promise.resolve(new Set(numbers));
    await cache.getOrLoad("a", set("1", "2", "3", "4"));
    await cache.getOrLoad("b", set("1", "2", "3"));
    await cache.getOrLoad("c", set("1", "2"));
    expect(cache.weight).toBe(9);
    cache.get("a");
    await cache.getOrLoad("d", set("1", "2"));
    // b was used least recently: it goes, a stays.
    expect([cache.get("a")?.size, cache.get("b"), cache.get("c")?.size, cache.get("d")?.size]).toEqual([
      4,
      undefined,
      2,
      2,
    ]);
    expect(cache.weight).toBe(8);
    // An entry heavier than the whole budget is never stored.
    await cache.getOrLoad("huge", () =>
      Promise.resolve(new Set(Array.from({ length: 11 }, (_, i) => String(i)))),
    );
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.weight).toBe(8);
  });

  it("re-weighs an entry changed in place, evicting others when it grew", async () => {
    const cache = sets(6);
    await cache.getOrLoad("a", () => Promise.resolve(new Set(["1", "2"])));
    await cache.getOrLoad("b", () => Promise.resolve(new Set(["1", "2", "3"])));
    cache.update("b", (numbers) => {
      numbers.add("4");
      numbers.add("5");
    });
    expect(cache.get("a")).toBeUndefined();
    expect(cache.weight).toBe(5);
    cache.update("b", (numbers) => numbers.delete("5"));
    expect(cache.weight).toBe(4);
    // Updating what is not held changes nothing.
    cache.update("zzz", (numbers) => numbers.add("1"));
    expect(cache.size).toBe(1);
  });
});
