// No zod and no phone metadata here: the web UI imports this module in the browser.

/**
 * Splits what a person pasted into entries: one per line, comma or semicolon. Not on spaces, which format a
 * single number ("+1 415 555 2671"). Each entry is kept as typed (trimmed), so failures can point back at it.
 */
export function splitPastedNumbers(text: string): string[] {
  return text
    .split(/[\n\r,;]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}
