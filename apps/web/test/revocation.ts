import { askWithinTrustWindow } from "@blocklist/api/testing/trustWindow";

/**
 * Asks with a revoked key until it is refused (status 401), or until the check cache's trust window has passed
 * since `revokedAt`: then the answer must be a refusal, and it is returned whatever it is.
 */
export function untilRefused<T extends { status: number }>(
  revokedAt: number,
  ask: () => Promise<T>,
): Promise<T> {
  return askWithinTrustWindow(revokedAt, ask, (answer) => answer.status === 401);
}
