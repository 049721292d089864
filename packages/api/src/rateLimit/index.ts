export { type Admission, admit, charge, type MeteredKey } from "./admission";
export {
  type Budget,
  budgetOf,
  type KeyRateLimit,
  keyRateLimitFromColumn,
  keyRateLimitToColumn,
  MAX_KEY_RATE_LIMIT,
  parseKeyRateLimit,
} from "./budget";
export { addToCounters, type CounterIncrement, type CounterTotal, deleteCountersBefore } from "./counters";
export { rateLimitHeaders } from "./headers";
export { FLUSH_INTERVAL_MS, type RateLimitDecision, RateLimiter, type RateLimiterOptions } from "./limiter";
export { type RateLimiterSetup, startRateLimiter } from "./process";
