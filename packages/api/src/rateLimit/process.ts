// The server's rate limiter, built at start from the settings and handed to the HTTP layer (REST) and the tRPC
// context, which admit each request through it (admitCaller.ts). Without one, nothing is limited.
import type { PrismaClient } from "@blocklist/db";
import type { ProcessLogger } from "../observability/context";
import { RateLimiter } from "./limiter";

export interface RateLimiterSetup {
  db: PrismaClient;
  logger?: Pick<ProcessLogger, "warn" | "info">;
  /** Called with a route's bounded label for each refused request (the metrics count them). */
  onRefusal?: (route: string) => void;
}

/**
 * Starts a limiter from the settings. With `requests` 0 a key without a budget of its own is not limited, but a
 * key with one still is (`pnpm cli key set-rate-limit`). close() it before the database client goes.
 */
export function startRateLimiter(
  settings: { requests: number; windowSeconds: number },
  setup: RateLimiterSetup,
): RateLimiter {
  const limiter = new RateLimiter({
    db: () => setup.db,
    defaultBudget: settings.requests === 0 ? "unlimited" : settings.requests,
    windowSeconds: settings.windowSeconds,
    ...(setup.logger ? { logger: setup.logger } : {}),
    ...(setup.onRefusal ? { onRefusal: setup.onRefusal } : {}),
  });
  limiter.start();
  return limiter;
}
