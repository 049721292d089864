// An expiry as people choose it: a duration from now (the API's `expiresIn`) or a day and time (`expiresAt`).

/** The durations offered, as `expiresIn` takes them. */
export const EXPIRES_IN_CHOICES = [
  ["30m", "In 30 minutes"],
  ["1h", "In 1 hour"],
  ["12h", "In 12 hours"],
  ["1d", "In 1 day"],
  ["7d", "In 7 days"],
  ["30d", "In 30 days"],
  ["90d", "In 90 days"],
] as const;

export interface ExpiryChoice {
  /** "keep" (a change only), "never", "date", or one of EXPIRES_IN_CHOICES. */
  choice: string;
  /** The `datetime-local` value when `choice` is "date". */
  date: string;
}

/** What the choice sends: nothing for "keep", `expiresAt: null` for "never" (a create sends nothing then). */
export function expiryInput(
  { choice, date }: ExpiryChoice,
  clearWith: null | undefined,
): { expiresAt?: string | null; expiresIn?: string } {
  if (choice === "keep") return {};
  if (choice === "never") return clearWith === null ? { expiresAt: null } : {};
  if (choice === "date") {
    const instant = new Date(date);
    // An empty or impossible date goes as it is, so that the service names the failure.
    return { expiresAt: Number.isNaN(instant.getTime()) ? date : instant.toISOString() };
  }
  return { expiresIn: choice };
}
