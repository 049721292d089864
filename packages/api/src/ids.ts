import { createHash, randomInt } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Random characters after the prefix: about 119 bits, so ids cannot be guessed or counted. */
const ID_RANDOM_LENGTH = 20;

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

export type IdPrefix = "usr" | "org" | "agt" | "key" | "ent";

/** Public ids are prefixed so a reader can tell a uid from an agent id at a glance. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(ID_RANDOM_LENGTH)}`;
}

const ID_RANDOM_PART = new RegExp(`^[0-9A-Za-z]{${ID_RANDOM_LENGTH}}$`);

/**
 * Whether `text` has the shape newId(prefix) gives, the only way ids are made. Anything else (another prefix,
 * another length, a character outside base62, a NUL, a lone surrogate, 5,000 characters) names nothing that
 * exists, so callers answer it as they answer a missing id, without asking the database.
 */
export function isWellFormedId(prefix: IdPrefix, text: string): boolean {
  return text.startsWith(`${prefix}_`) && ID_RANDOM_PART.test(text.slice(prefix.length + 1));
}
