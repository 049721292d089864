// What a request costs against its key's rate-limit budget: the budget counts work, not requests.

/** Every request costs one unit, counted when its key is admitted (before anything is parsed). */
export const ADMISSION_UNITS = 1;
/** A request carrying phone numbers costs one more unit per started hundred of them. */
export const NUMBERS_PER_UNIT = 100;

/** Units a request carrying `count` numbers costs beyond its admission: 10,000 numbers cost 100 more. */
export function numbersUnits(count: number): number {
  return Math.ceil(count / NUMBERS_PER_UNIT);
}

/** The whole cost of a request carrying `count` numbers (0 for a GET or a check): `1 + ceil(count / 100)`. */
export function requestUnits(count: number): number {
  return ADMISSION_UNITS + numbersUnits(count);
}
