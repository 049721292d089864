// Paging cursors that reveal nothing and cannot be forged (docs/DECISIONS.md, "Cursors"). A cursor is a position
// in one list (a row's insertion id) sealed with AES-256-GCM: the position is encrypted, and the list it belongs
// to is authenticated as associated data, so a cursor of one list is refused on any other. Every instance holds
// the same key (the database's cursor secret), so a cursor made by one instance works on all.

import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from "node:crypto";
import { ErrorMessage, INVALID_CURSOR_ISSUE } from "@blocklist/core";
import { InvalidRequestError } from "./errors";

/** The list a cursor pages: what kind of list, and whose (`blocked-numbers` of `agt_…`). */
export interface CursorScope {
  kind: string;
  listId: string;
}

/** A position is a non-negative PostgreSQL bigint: decoding can never hand SQL a number it cannot hold. */
export const MAX_CURSOR_POSITION = 2n ** 63n - 1n;

// version (1) ‖ nonce (12) ‖ encrypted position (8) ‖ GCM tag (16): 37 bytes, always 50 base64url characters.
const VERSION = 1;
const NONCE_BYTES = 12;
const POSITION_BYTES = 8;
const TAG_BYTES = 16;
const SEALED_BYTES = 1 + NONCE_BYTES + POSITION_BYTES + TAG_BYTES;
const CURSOR_TEXT = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((SEALED_BYTES * 4) / 3)}}$`);

/** The version byte and the list, authenticated with every cursor. */
function associatedData(scope: CursorScope): Buffer {
  return Buffer.concat([Buffer.of(VERSION), Buffer.from(JSON.stringify([scope.kind, scope.listId]), "utf8")]);
}

export function encodeCursor(key: KeyObject, scope: CursorScope, position: bigint): string {
  if (position < 0n || position > MAX_CURSOR_POSITION) {
    throw new RangeError(`cursor position ${position} is outside 0…${MAX_CURSOR_POSITION}`);
  }
  const plain = Buffer.alloc(POSITION_BYTES);
  plain.writeBigUInt64BE(position);
  // A random nonce per cursor: two cursors of the same position differ. 96 random bits stay clear of a
  // repeat for the 2^32 cursors per key that NIST allows random nonces.
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(scope));
  const sealed = Buffer.concat([
    Buffer.of(VERSION),
    nonce,
    cipher.update(plain),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return sealed.toString("base64url");
}

/** The position `text` seals for `scope`; any text this key did not seal for this scope is a 400. */
export function decodeCursor(key: KeyObject, scope: CursorScope, text: string): bigint {
  const position = openCursor(key, scope, text);
  if (position === undefined)
    throw new InvalidRequestError(ErrorMessage.invalidQuery, [INVALID_CURSOR_ISSUE]);
  return position;
}

function openCursor(key: KeyObject, scope: CursorScope, text: string): bigint | undefined {
  if (!CURSOR_TEXT.test(text)) return undefined;
  const sealed = Buffer.from(text, "base64url");
  // base64url leaves spare bits in the last character: only the one spelling this service writes is its cursor.
  if (sealed.length !== SEALED_BYTES || sealed.toString("base64url") !== text || sealed[0] !== VERSION) {
    return undefined;
  }
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const encrypted = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + POSITION_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(scope));
  decipher.setAuthTag(sealed.subarray(SEALED_BYTES - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  } catch {
    // The tag does not match: another list, another key, or bytes changed on the way.
    return undefined;
  }
  const position = plain.readBigUInt64BE();
  return position <= MAX_CURSOR_POSITION ? position : undefined;
}
