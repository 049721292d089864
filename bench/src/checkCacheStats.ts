// What the service's check cache holds, read from its GET /api/metrics: the benchmark makes sure that the lists
// a `check` load asks about are all in memory before it measures, and still are after.
import { SERVICE_METRICS_TOKEN, type ServerProcess } from "./processes";

export interface CheckCacheStats {
  /** Whether change notifications flow, so that checks are answered from memory. */
  trusted: boolean;
  /** Lists held, and their entries (an empty list counts as one). */
  lists: number;
  entries: number;
}

export async function readCheckCache(service: ServerProcess): Promise<CheckCacheStats> {
  const response = await fetch(`${service.url}/api/metrics`, {
    headers: { Authorization: `Bearer ${SERVICE_METRICS_TOKEN}` },
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`${service.name} GET /api/metrics: ${response.status} ${text}`);
  const gauge = (line: string) => {
    const match = new RegExp(`^${line.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text);
    if (!match?.[1]) throw new Error(`${service.name}: no ${line} in /api/metrics`);
    return Number(match[1]);
  };
  return {
    trusted: gauge("blocklist_check_cache_trusted") === 1,
    lists: gauge('blocklist_check_cache_entries{kind="lists"}'),
    entries: gauge('blocklist_check_cache_entries{kind="entries"}'),
  };
}

const POLL_MS = 250;
const TIMEOUT_MS = 60_000;
const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));
export const sameStats = (a: CheckCacheStats, b: CheckCacheStats) =>
  a.trusted === b.trusted && a.lists === b.lists && a.entries === b.entries;

/** What the cache holds once its background loads are done: trusted, and the same in two reads in a row. */
export async function waitForSteady(service: ServerProcess): Promise<CheckCacheStats> {
  const deadline = Date.now() + TIMEOUT_MS;
  let last = await readCheckCache(service);
  for (;;) {
    await pause();
    const held = await readCheckCache(service);
    if (held.trusted && sameStats(held, last)) return held;
    if (Date.now() > deadline) throw new Error(`the check cache did not settle: ${JSON.stringify(held)}`);
    last = held;
  }
}

/**
 * Waits until the cache holds `more` lists and entries than `before`, then returns what it holds; fails after a
 * minute. Lists load in the background after a check that finds them missing, so `poke` asks such a check
 * at every try (a load finished while notifications were not trusted is not kept).
 */
export async function waitForHeld(
  service: ServerProcess,
  before: CheckCacheStats,
  more: { lists: number; entries: number },
  poke: () => Promise<unknown>,
): Promise<CheckCacheStats> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    await poke();
    const held = await readCheckCache(service);
    if (
      held.trusted &&
      held.lists === before.lists + more.lists &&
      held.entries === before.entries + more.entries
    ) {
      return held;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the check cache holds ${JSON.stringify(held)}, not ${JSON.stringify(before)} plus ${JSON.stringify(more)}`,
      );
    }
    await pause();
  }
}
