import { DEFAULT_TRUST_MS } from "@blocklist/api/checkCache";

const RETRY_MS = 20;

/**
 * Asks with a revoked key until it is refused (status 401). An instance that remembers the key learns of the
 * revocation from a change notification, usually within milliseconds, and never trusts what it remembers for
 * longer than DEFAULT_TRUST_MS without hearing from the database (DECISIONS.md › The check path): so a request
 * sent that long after the revocation committed must be refused, and its answer is returned whatever it is.
 */
export async function untilRefused<T extends { status: number }>(
  revokedAt: number,
  ask: () => Promise<T>,
): Promise<T> {
  for (;;) {
    const sentAt = performance.now();
    const answer = await ask();
    if (answer.status === 401 || sentAt - revokedAt > DEFAULT_TRUST_MS) return answer;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
