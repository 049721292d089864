import type { RateLimitDecision } from "./limiter";

/**
 * The headers of draft-ietf-httpapi-ratelimit-headers (RateLimit-Limit, -Remaining, -Reset in seconds,
 * -Policy `limit;w=window`), in cost units, on every answer to a key with a budget, plus Retry-After on a refusal.
 * A key that is not limited gets none of them (admission.ts).
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(decision.resetSeconds),
    "RateLimit-Policy": `${decision.limit};w=${decision.windowSeconds}`,
    ...(decision.allowed ? {} : { "Retry-After": String(decision.resetSeconds) }),
  };
}
