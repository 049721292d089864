import { setTimeout as sleep } from "node:timers/promises";

/**
 * Rate-limit windows are aligned to the epoch: a test that began in the last seconds of one would see its budget
 * renewed halfway. Waits for the next window when fewer than `marginSeconds` are left of this one.
 */
export async function awayFromWindowEnd(windowSeconds: number, marginSeconds: number): Promise<void> {
  const left = windowSeconds * 1000 - (Date.now() % (windowSeconds * 1000));
  if (left < marginSeconds * 1000) await sleep(left + 1000);
}
