import { DEFAULT_TRUST_MS } from "@blocklist/api/checkCache";

const RETRY_MS = 20;

/**
 * Asks until the answer shows a change to a key (`seen`), or until asking later could no longer be excused. An
 * instance that remembers the key learns of the change from a change notification, usually within milliseconds,
 * and never trusts what it remembers for longer than DEFAULT_TRUST_MS without hearing from the database
 * (DECISIONS.md › The check path): so a request sent that long after the change committed must show it, and its
 * answer is returned whatever it is.
 */
export async function untilSeen<T>(
  changedAt: number,
  ask: () => Promise<T>,
  seen: (answer: T) => boolean,
): Promise<T> {
  for (;;) {
    const sentAt = performance.now();
    const answer = await ask();
    if (seen(answer) || sentAt - changedAt > DEFAULT_TRUST_MS) return answer;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** Asks with a revoked (or deleted) key until it is refused (status 401): see untilSeen. */
export async function untilRefused<T extends { status: number }>(
  revokedAt: number,
  ask: () => Promise<T>,
): Promise<T> {
  return untilSeen(revokedAt, ask, (answer) => answer.status === 401);
}
