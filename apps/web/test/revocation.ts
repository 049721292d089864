import { askWithinTrustWindow } from "@blocklist/api/testing/trustWindow";

/**
 * Asks until the answer shows a change to a key (`seen`), or until the check cache's trust window has passed
 * since `changedAt`: then the answer must show it, and it is returned whatever it is (askWithinTrustWindow).
 */
export async function untilSeen<T>(
  changedAt: number,
  ask: () => Promise<T>,
  seen: (answer: T) => boolean,
): Promise<T> {
  return askWithinTrustWindow(changedAt, ask, seen);
}

/** Asks with a revoked (or deleted) key until it is refused (status 401): see untilSeen. */
export async function untilRefused<T extends { status: number }>(
  revokedAt: number,
  ask: () => Promise<T>,
): Promise<T> {
  return untilSeen(revokedAt, ask, (answer) => answer.status === 401);
}
