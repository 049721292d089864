import { randomInt } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` characters of base62 from a cryptographic source (about 5.95 bits each). */
export function randomBase62(length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += BASE62[randomInt(BASE62.length)];
  return text;
}

export type IdPrefix = "usr" | "org" | "agt" | "key";

/** Public ids are prefixed so a reader can tell a uid from an agent id at a glance. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(20)}`;
}
