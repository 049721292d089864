export { addToCounters, type CounterIncrement, type CounterTotal, deleteCountersBefore } from "./counters";
export { rateLimitHeaders } from "./headers";
export { FLUSH_INTERVAL_MS, type RateLimitDecision, RateLimiter, type RateLimiterOptions } from "./limiter";
export { type Admission, admitRequest, getRateLimiter, setRateLimiter, startRateLimiter } from "./process";
