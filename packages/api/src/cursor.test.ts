import { createCipheriv, createSecretKey, randomBytes } from "node:crypto";
import { ErrorMessage, INVALID_CURSOR_ISSUE } from "@blocklist/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CursorScope, decodeCursor, encodeCursor, MAX_CURSOR_POSITION } from "./cursor";
import { InvalidRequestError } from "./errors";
import { newId } from "./ids";

const key = createSecretKey(randomBytes(32));
const list: CursorScope = { kind: "blocked-numbers", listId: newId("agt") };

/** What decoding `text` answers: the position, or the 400 it throws. */
function decoded(text: string, scope: CursorScope = list, withKey = key): unknown {
  try {
    return decodeCursor(withKey, scope, text);
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    return { status: 400, error: error.message, issues: error.issues };
  }
}
const refused = { status: 400, error: ErrorMessage.invalidQuery, issues: [INVALID_CURSOR_ISSUE] };

const position = fc.bigInt({ min: 0n, max: MAX_CURSOR_POSITION });

describe("encodeCursor and decodeCursor", () => {
  it("give back the position, for any position a bigint holds", () => {
    fc.assert(
      fc.property(position, (at) => {
        expect(decoded(encodeCursor(key, list, at))).toBe(at);
      }),
    );
  });

  it("reveal nothing: 50 base64url characters whatever the position, never twice the same", () => {
    const cursors = [0n, 1n, 123_456_789n, MAX_CURSOR_POSITION, 1n].map((at) => encodeCursor(key, list, at));
    for (const cursor of cursors) expect(cursor).toMatch(/^[A-Za-z0-9_-]{50}$/);
    expect(new Set(cursors).size).toBe(cursors.length);
    // The position is nowhere in the bytes, neither as digits nor as a 64-bit number.
    const bytes = Buffer.from(encodeCursor(key, list, 123_456_789n), "base64url");
    const asNumber = Buffer.alloc(8);
    asNumber.writeBigUInt64BE(123_456_789n);
    expect(bytes.includes(asNumber)).toBe(false);
    expect(bytes.toString("latin1")).not.toContain("123456789");
  });

  it("refuse a cursor of another list: another agent, or another kind of list of the same agent", () => {
    fc.assert(
      fc.property(position, (at) => {
        const cursor = encodeCursor(key, list, at);
        expect(decoded(cursor, { ...list, listId: newId("agt") })).toEqual(refused);
        expect(decoded(cursor, { ...list, kind: "entries" })).toEqual(refused);
      }),
    );
  });

  it("refuse a cursor sealed with another key (another installation)", () => {
    const other = createSecretKey(randomBytes(32));
    expect(decoded(encodeCursor(other, list, 42n))).toEqual(refused);
  });

  it("refuse a cursor with any one bit changed", () => {
    const sealed = Buffer.from(encodeCursor(key, list, 42n), "base64url");
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const tampered = Buffer.from(sealed);
      tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(decoded(tampered.toString("base64url")), `bit ${bit}`).toEqual(refused);
    }
  });

  it("refuse a cursor cut short, made longer, or spelled another way", () => {
    const cursor = encodeCursor(key, list, 42n);
    // The last character carries 4 spare bits (always 0 here): its next one in the alphabet decodes to the
    // same bytes.
    const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const respelled = cursor.slice(0, -1) + BASE64URL[BASE64URL.indexOf(cursor.at(-1) ?? "") + 1];
    expect(Buffer.from(respelled, "base64url")).toEqual(Buffer.from(cursor, "base64url"));
    for (const text of [
      cursor.slice(0, -1),
      cursor.slice(0, 10),
      `${cursor}A`,
      `${cursor}==`,
      respelled,
      // The same bytes in standard base64, with its padding.
      Buffer.from(cursor, "base64url").toString("base64"),
      ` ${cursor}`,
    ]) {
      expect(decoded(text), text).toEqual(refused);
    }
  });

  it("refuse what earlier releases issued, out-of-range positions included, and any made-up text", () => {
    for (const text of [
      Buffer.from("n:42").toString("base64url"),
      Buffer.from("n:9999999999999999999").toString("base64url"),
      "bjox",
      "abc",
      "\u0000",
      "\ud800",
      "A".repeat(50),
      "A".repeat(5000),
    ]) {
      expect(decoded(text), text).toEqual(refused);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        expect(decoded(text)).toEqual(refused);
      }),
    );
  });

  it("refuse a position above PostgreSQL's bigint even when sealed with the right key", () => {
    // Sealed by hand in the documented layout (version ‖ nonce ‖ position ‖ tag): what a bug in a future
    // encoder could make. No such cursor reaches SQL.
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    cipher.setAAD(Buffer.concat([Buffer.of(1), Buffer.from(JSON.stringify([list.kind, list.listId]))]));
    const plain = Buffer.alloc(8);
    plain.writeBigUInt64BE(MAX_CURSOR_POSITION + 1n);
    const sealed = Buffer.concat([
      Buffer.of(1),
      nonce,
      cipher.update(plain),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    expect(decoded(sealed.toString("base64url"))).toEqual(refused);

    expect(() => encodeCursor(key, list, MAX_CURSOR_POSITION + 1n)).toThrow(RangeError);
    expect(() => encodeCursor(key, list, -1n)).toThrow(RangeError);
  });
});
