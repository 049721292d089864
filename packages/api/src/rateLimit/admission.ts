// A request's cost against its key's budget, in two steps (docs/DECISIONS.md, "Rate limiting"): one unit when
// the key is admitted, right after it is authenticated and before anything is parsed (so that 429 comes before
// 400), then the rest once the body is parsed and its size is known (`1 + ceil(numbers / 100)` in all). A
// request whose rest does not fit in what is left answers 429 without doing its work.
import { ADMISSION_UNITS } from "@blocklist/core";
import { type Budget, budgetOf, type KeyRateLimit } from "./budget";
import { rateLimitHeaders } from "./headers";
import type { RateLimiter } from "./limiter";

/** What the limiter needs of an authenticated key (a Caller has it). */
export interface MeteredKey {
  keyId: string;
  /** The key's own budget; null follows the limiter's default. */
  rateLimit: KeyRateLimit;
}

export interface Admission {
  refused: boolean;
  /** RateLimit-* (and Retry-After when refused) for the answer; none when the key is not limited. */
  headers: Record<string, string>;
  /** What charge() counts against; absent when nothing limits the key (no limiter, or an unlimited budget). */
  readonly meter?: { limiter: RateLimiter; keyId: string; limit: number; route: string };
}

const NOT_LIMITED: Admission = { refused: false, headers: {} };

/**
 * Counts the admission unit of an authenticated request. `limiter` is the process's one (none: limiting off);
 * `route` labels a refusal in the metrics (a bounded label).
 */
export function admit(limiter: RateLimiter | undefined, key: MeteredKey, route: string): Admission {
  if (!limiter) return NOT_LIMITED;
  const budget: Budget = budgetOf(key.rateLimit, limiter.defaultBudget);
  if (budget === "unlimited") return NOT_LIMITED;
  const meter = { limiter, keyId: key.keyId, limit: budget, route };
  return decided(meter, ADMISSION_UNITS);
}

/**
 * Counts the rest of an admitted request's cost once its body is parsed. The answer replaces the admission:
 * refused when `units` do not fit in what is left (then none of them is counted, the admission unit stays spent),
 * and its headers are what the answer carries.
 */
export function charge(admission: Admission, units: number): Admission {
  if (admission.refused || !admission.meter || units === 0) return admission;
  return decided(admission.meter, units);
}

function decided(meter: NonNullable<Admission["meter"]>, units: number): Admission {
  const decision = meter.limiter.take(meter.keyId, meter.limit, units);
  if (!decision.allowed) meter.limiter.refused(meter.route);
  return { refused: !decision.allowed, headers: rateLimitHeaders(decision), meter };
}
