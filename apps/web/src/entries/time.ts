// Times as the UI shows them: relative ("in 3 hours", "5 minutes ago") with the exact instant beside it.

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["week", 7 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
  ["second", 1000],
];

/** `target` from `now`: the largest unit that fits at least once, rounded ("in 3 hours", "yesterday"). */
export function relativeTime(target: Date, now: Date): string {
  const difference = target.getTime() - now.getTime();
  const [unit, size] = UNITS.find(([, size]) => Math.abs(difference) >= size) ?? ["second", 1000];
  return relative.format(Math.round(difference / size), unit);
}

/** The exact instant, with its time zone: "Tue, 1 Dec 2026, 14:30 UTC". */
export function exactTime(instant: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(instant);
}

/** A day in a sentence: "1 Dec", with the year when it is not `now`'s. */
export function dayInSentence(instant: Date, now: Date, timeZone?: string): string {
  const year = (date: Date) => new Intl.DateTimeFormat("en-GB", { year: "numeric", timeZone }).format(date);
  return new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    ...(year(instant) === year(now) ? {} : { year: "numeric" }),
    timeZone,
  }).format(instant);
}
