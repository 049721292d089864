// The process's one rate limiter. The server starts it (server.ts); request code finds it on globalThis, since
// the server (run by tsx) and the route handlers (bundled by Next.js) load separate copies of this module.
// Without a started limiter (code that does not run under the server) nothing is limited.
import { getPrismaClient } from "@blocklist/db";
import { type Admission, admit, type MeteredKey } from "./admission";
import { RateLimiter } from "./limiter";

const globalStore = globalThis as typeof globalThis & { __blocklistRateLimiter?: RateLimiter };

/**
 * Starts the process's limiter from the settings. With `requests` 0 a key without a budget of its own is not
 * limited, but a key with one still is (`pnpm cli key set-rate-limit`).
 */
export function startRateLimiter(settings: { requests: number; windowSeconds: number }): RateLimiter {
  const limiter = new RateLimiter({
    db: getPrismaClient,
    defaultBudget: settings.requests === 0 ? "unlimited" : settings.requests,
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

/**
 * admit() with the process's limiter: the admission unit of an authenticated key (admission.ts). charge() needs
 * no limiter of its own: the admission carries it.
 */
export function admitRequest(key: MeteredKey, route: string): Admission {
  return admit(getRateLimiter(), key, route);
}
