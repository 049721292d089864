import { z } from "zod";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/** The latest expiry, counted from now: 10 years of 365 days. */
export const MAX_EXPIRY_MS = 3650 * DAY_MS;
/** The shortest `expiresIn`. */
export const MIN_EXPIRES_IN_MS = MINUTE_MS;

// Far longer than any valid value; keeps a hostile megabyte away from the patterns below.
const MAX_EXPIRY_INPUT_LENGTH = 64;

// An instant with a time zone (`Z` or `±hh:mm`), seconds optional, any fraction of a second; zod checks the
// calendar too (no 30 February), which Date alone would roll over into March.
const INSTANT_WITH_SECONDS = z.iso.datetime({ offset: true });
const INSTANT_IN_MINUTES = z.iso.datetime({ offset: true, precision: -1 });

const UNIT_MS = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: WEEK_MS } as const;
const SHORT_DURATION = /^(\d+)([mhdw])$/;
// ISO 8601 of weeks, days, hours and minutes only: years and months have no fixed length, seconds no use here.
const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

export function isExpiryGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function instantOf(expiresAt: unknown): number | undefined {
  if (typeof expiresAt !== "string" || expiresAt.length > MAX_EXPIRY_INPUT_LENGTH) return undefined;
  if (
    !INSTANT_WITH_SECONDS.safeParse(expiresAt).success &&
    !INSTANT_IN_MINUTES.safeParse(expiresAt).success
  ) {
    return undefined;
  }
  return Date.parse(expiresAt);
}

function durationOf(expiresIn: unknown): number | undefined {
  if (typeof expiresIn !== "string" || expiresIn.length > MAX_EXPIRY_INPUT_LENGTH) return undefined;
  const short = SHORT_DURATION.exec(expiresIn);
  if (short) return Number(short[1]) * UNIT_MS[short[2] as keyof typeof UNIT_MS];
  const iso = ISO_DURATION.exec(expiresIn);
  // "P" and "PT" name no amount at all.
  if (!iso || expiresIn === "P" || expiresIn.endsWith("T")) return undefined;
  const [, weeks, days, hours, minutes] = iso.map((part) => Number(part ?? 0));
  return (weeks ?? 0) * WEEK_MS + (days ?? 0) * DAY_MS + (hours ?? 0) * HOUR_MS + (minutes ?? 0) * MINUTE_MS;
}

/**
 * When an entry expires (SPEC-ENTRIES, "Expiry"): `expiresAt` (an instant with a time zone, after `now`, at
 * most 10 years ahead) or `expiresIn` (`30m`, `12h`, `7d`, `4w`, or an ISO 8601 duration such as `P1DT12H`,
 * from 1 minute to 10 years). `undefined` and `null` mean not given; no expiry gives null; both, or any other
 * value, "invalid".
 */
export function resolveExpiry(
  input: { expiresAt?: unknown; expiresIn?: unknown },
  now: Date,
): Date | null | "invalid" {
  const hasAt = isExpiryGiven(input.expiresAt);
  const hasIn = isExpiryGiven(input.expiresIn);
  if (hasAt && hasIn) return "invalid";
  const nowMs = now.getTime();
  if (hasAt) {
    const at = instantOf(input.expiresAt);
    if (at === undefined || at <= nowMs || at - nowMs > MAX_EXPIRY_MS) return "invalid";
    return new Date(at);
  }
  if (hasIn) {
    const duration = durationOf(input.expiresIn);
    if (duration === undefined || duration < MIN_EXPIRES_IN_MS || duration > MAX_EXPIRY_MS) return "invalid";
    return new Date(nowMs + duration);
  }
  return null;
}
