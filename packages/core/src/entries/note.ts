import { MAX_NOTE_LENGTH } from "./fields";

// NUL cannot be stored by PostgreSQL and a lone surrogate would be stored as U+FFFD, not as given; new lines
// and tabs are fine in free text.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether a note can be kept as written: at most MAX_NOTE_LENGTH characters, counted as the database's
 * `char_length` counts them (code points, so an emoji is one), and nothing PostgreSQL would refuse or alter.
 */
export function isValidNote(note: string): boolean {
  // Each code point takes one or two UTF-16 units: the common short note needs no counting.
  if (note.length > 2 * MAX_NOTE_LENGTH) return false;
  if (note.includes("\u0000") || LONE_SURROGATE.test(note)) return false;
  if (note.length <= MAX_NOTE_LENGTH) return true;
  let codePoints = 0;
  for (const _ of note) codePoints++;
  return codePoints <= MAX_NOTE_LENGTH;
}
