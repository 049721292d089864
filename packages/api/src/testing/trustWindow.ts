// The check cache's stated bound (docs/DECISIONS.md › The check path): a change committed anywhere is acted on
// by every instance within DEFAULT_TRUST_MS, usually within milliseconds through its notification, else because
// the instance stops trusting its memory. So an answer asked for that long after the commit must show it.
import { DEFAULT_TRUST_MS } from "../checkCache/checkCache";

const RETRY_MS = 20;

/**
 * Asks until an answer `shows` the change committed at `committedAt` (performance.now()), or until the trust
 * window has passed, and returns that answer whatever it is: the caller asserts it.
 */
export async function askWithinTrustWindow<T>(
  committedAt: number,
  ask: () => Promise<T>,
  shows: (answer: T) => boolean,
): Promise<T> {
  for (;;) {
    const sentAt = performance.now();
    const answer = await ask();
    if (shows(answer) || sentAt - committedAt > DEFAULT_TRUST_MS) return answer;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
