import { createHash, randomInt } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` characters of base62 from a cryptographic source (about 5.95 bits each). */
export function randomBase62(length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += BASE62[randomInt(BASE62.length)];
  return text;
}

/** What a secret of `prefix` + `length` base62 characters looks like (its shape, not whether it exists). */
export function secretPattern(prefix: string, length: number): RegExp {
  return new RegExp(`^${prefix}[0-9A-Za-z]{${length}}$`);
}

/**
 * SHA-256 of a long random secret (an API key, a session id), as stored and looked up. Not a slow password
 * hash: the secret carries far more than 128 random bits, and verification sits on every request.
 */
export function hashSecret(secret: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash("sha256").update(secret, "utf8").digest());
}

export type IdPrefix = "usr" | "org" | "agt" | "key";

/** Public ids are prefixed so a reader can tell a uid from an agent id at a glance. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(20)}`;
}
