import { setTimeout as sleep } from "node:timers/promises";

/**
 * Rate-limit windows are aligned to the epoch: a test that spends a key's budget in the last seconds of a window
 * would see it renewed. Waits, only then, until the next window has begun.
 */
export async function awayFromWindowEnd(windowSeconds: number, marginSeconds: number): Promise<void> {
  const left = windowSeconds * 1000 - (Date.now() % (windowSeconds * 1000));
  if (left < marginSeconds * 1000) await sleep(left + 1000);
}
