import { hashSecret, randomBase62, secretPattern } from "./ids";

const KEY_PREFIX = "bl_";
// 32 base62 characters carry about 190 random bits, well above the 128 asked for.
const KEY_RANDOM_LENGTH = 32;
const KEY_FORMAT = secretPattern(KEY_PREFIX, KEY_RANDOM_LENGTH);
// Enough to tell keys apart in a listing, far too little to guess the rest.
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 6;

export interface NewApiKey {
  secret: string;
  hash: Uint8Array<ArrayBuffer>;
  prefix: string;
}

/** What is stored of a key and looked up when it is presented (hashSecret: SHA-256). */
export function hashApiKey(secret: string): Uint8Array<ArrayBuffer> {
  return hashSecret(secret);
}

/** The visible start of a key, as listings show it. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** Whether a string has the shape of a key this service issues (says nothing about whether it exists). */
export function isWellFormedApiKey(secret: string): boolean {
  return KEY_FORMAT.test(secret);
}

export function generateApiKey(): NewApiKey {
  const secret = KEY_PREFIX + randomBase62(KEY_RANDOM_LENGTH);
  return { secret, hash: hashApiKey(secret), prefix: displayPrefix(secret) };
}
