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
const TIMEOUT_MS = 120_000;
const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));
export const sameStats = (a: CheckCacheStats, b: CheckCacheStats) =>
  a.trusted === b.trusted && a.lists === b.lists && a.entries === b.entries;

/**
 * Waits until the cache is trusted and holds exactly `expected`, then returns what it holds; fails after two
 * minutes. Lists load in the background after a check that finds them missing, so `poke` asks such checks at
 * every try.
 */
export async function waitForHeld(
  service: ServerProcess,
  expected: { lists: number; entries: number },
  poke: () => Promise<unknown>,
): Promise<CheckCacheStats> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    await poke();
    const held = await readCheckCache(service);
    if (held.trusted && held.lists === expected.lists && held.entries === expected.entries) return held;
    if (Date.now() > deadline) {
      throw new Error(`the check cache holds ${JSON.stringify(held)}, not ${JSON.stringify(expected)}`);
    }
    await pause();
  }
}
