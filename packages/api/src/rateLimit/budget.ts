// A key's own rate-limit budget, as the CLI sets it and api_keys.rate_limit stores it (docs/DECISIONS.md, "Rate
// limiting"). One representation in code, one in the column, and the rule for which budget applies.

/** A key's own budget in cost units per window, "unlimited", or null: the key follows RATE_LIMIT_REQUESTS. */
export type KeyRateLimit = number | "unlimited" | null;

/** The budget a request is held to: units per window, or none at all. */
export type Budget = number | "unlimited";

/** The largest budget a key may carry, as for RATE_LIMIT_REQUESTS. */
export const MAX_KEY_RATE_LIMIT = 1_000_000_000;

// The column's sentinel for unlimited, as 0 is for RATE_LIMIT_REQUESTS.
const UNLIMITED_COLUMN = 0;

export function keyRateLimitFromColumn(column: number | null): KeyRateLimit {
  if (column === null) return null;
  return column === UNLIMITED_COLUMN ? "unlimited" : column;
}

export function keyRateLimitToColumn(rateLimit: KeyRateLimit): number | null {
  return rateLimit === "unlimited" ? UNLIMITED_COLUMN : rateLimit;
}

/** The key's own budget when it has one, else the default of every key. */
export function budgetOf(rateLimit: KeyRateLimit, defaultBudget: Budget): Budget {
  return rateLimit ?? defaultBudget;
}

/**
 * Reads what an operator writes after `--rate-limit`: a whole number from 1 to MAX_KEY_RATE_LIMIT, `unlimited`,
 * or `default` (back to RATE_LIMIT_REQUESTS). Undefined for anything else.
 */
export function parseKeyRateLimit(text: string): KeyRateLimit | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "unlimited") return "unlimited";
  if (trimmed === "default") return null;
  if (!/^[0-9]{1,10}$/.test(trimmed)) return undefined;
  const units = Number(trimmed);
  return units >= 1 && units <= MAX_KEY_RATE_LIMIT ? units : undefined;
}
