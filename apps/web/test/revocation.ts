import { DEFAULT_TRUST_MS } from "@blocklist/api/checkCache";

const RETRY_MS = 20;

/**
 * Asks until an answer shows a change (`seen`), and returns that answer; or returns the first answer to a request
 * sent more than DEFAULT_TRUST_MS after `changedAt` (performance.now() once the change was committed), whatever
 * it is. An instance learns of a change from a notification, usually within milliseconds, and never answers from
 * what it remembers for longer than DEFAULT_TRUST_MS without hearing from the database (DECISIONS.md › The check
 * path): so that answer must show the change, and the caller asserts that it does.
 */
export async function untilChangeSeen<T>(
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

/** `untilChangeSeen` for a revoked key: asks until the answer is a 401, or one second has passed. */
export function untilRefused<T extends { status: number }>(
  revokedAt: number,
  ask: () => Promise<T>,
): Promise<T> {
  return untilChangeSeen(revokedAt, ask, (answer) => answer.status === 401);
}
