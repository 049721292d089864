const counts = new Intl.NumberFormat("en-US");

export const formatCount = (count: number): string => counts.format(count);

/** "1 number", "12,000 numbers". */
export const plural = (count: number, noun: string): string =>
  `${formatCount(count)} ${count === 1 ? noun : `${noun}s`}`;
