/** The digits of a value, as the list's `search` filter takes them; undefined when there are none. */
export function searchDigitsOf(value: string | null): string | undefined {
  const digits = value?.replace(/\D/g, "");
  return digits ? digits : undefined;
}
