"use client";

import { useEffect, useState } from "react";
import { exactTime, relativeTime } from "~/entries/time";

const TICK_MS = 30_000;

/** "in 3 hours"; the exact instant on hover (title) and on focus (the same text shown by CSS). */
export function RelativeTime({ instant }: { instant: string }) {
  const now = useNow();
  const date = new Date(instant);
  const exact = exactTime(date);
  return (
    // Focusable so that keyboard users reach the exact time too; the title is its accessible description.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the exact time must be reachable by keyboard, not only by hover
    <time dateTime={instant} title={exact} data-exact={exact} tabIndex={0}>
      {relativeTime(date, now)}
    </time>
  );
}

/** The clock, moved on every so often, so that "in 3 minutes" does not stay so. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}
