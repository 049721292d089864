// The process's one rate limiter. The server starts it (server.ts); request code finds it on globalThis, since
// the server (run by tsx) and the route handlers (bundled by Next.js) load separate copies of this module.
// Without a started limiter (limiting off, or code that does not run under the server) nothing is limited.
import { getPrismaClient } from "@blocklist/db";
import { recordRateLimitRefusal } from "../observability/metrics";
import { rateLimitHeaders } from "./headers";
import { RateLimiter } from "./limiter";

const globalStore = globalThis as typeof globalThis & { __blocklistRateLimiter?: RateLimiter };

/** Starts the process's limiter from the settings; none when `requests` is 0 (limiting off). */
export function startRateLimiter(settings: {
  requests: number;
  windowSeconds: number;
}): RateLimiter | undefined {
  if (settings.requests === 0) return undefined;
  const limiter = new RateLimiter({
    db: getPrismaClient,
    limit: settings.requests,
    windowSeconds: settings.windowSeconds,
  });
  limiter.start();
  setRateLimiter(limiter);
  return limiter;
}

/** Makes `limiter` the process's own (tests install one of their own, or none). */
export function setRateLimiter(limiter: RateLimiter | undefined): void {
  globalStore.__blocklistRateLimiter = limiter;
}

export function getRateLimiter(): RateLimiter | undefined {
  return globalStore.__blocklistRateLimiter;
}

export interface Admission {
  refused: boolean;
  /** RateLimit-* (and Retry-After when refused) for the answer; none when limiting is off. */
  headers: Record<string, string>;
}

/**
 * Counts one request of an authenticated key against its budget, right after authentication and before the
 * request is parsed. A refusal is counted in the metrics under `route` (a bounded label).
 */
export function admitRequest(keyId: string, route: string): Admission {
  const decision = getRateLimiter()?.take(keyId);
  if (!decision) return { refused: false, headers: {} };
  if (!decision.allowed) recordRateLimitRefusal(route);
  return { refused: !decision.allowed, headers: rateLimitHeaders(decision) };
}
