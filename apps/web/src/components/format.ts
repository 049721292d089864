const counts = new Intl.NumberFormat("en-US");

export const formatCount = (count: number): string => counts.format(count);

/** "1 number", "12,000 numbers", "3 entries". */
export const plural = (count: number, noun: string, nouns = `${noun}s`): string =>
  `${formatCount(count)} ${count === 1 ? noun : nouns}`;
