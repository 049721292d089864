// Distinct valid phone numbers for tests that need many: +1 415 555 0000 onwards, then other area codes.
const AREA_CODES = ["415", "212", "650", "646", "718", "917", "312", "617", "202", "305"];

/** The `index`th test number in E.164 (0 ≤ index < 100,000). */
export function testNumber(index: number): string {
  const area = AREA_CODES[Math.floor(index / 10_000)];
  if (area === undefined) throw new Error(`testNumber: ${index} is out of range`);
  return `+1${area}555${String(index % 10_000).padStart(4, "0")}`;
}
