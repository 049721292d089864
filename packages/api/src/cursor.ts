import { InvalidRequestError } from "./errors";

// A cursor is the insertion id of the last number on the previous page, made opaque so clients do not build
// their own; base64url keeps it safe in a query string.
export function encodeCursor(lastId: bigint): string {
  return Buffer.from(`n:${lastId}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): bigint {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^n:(\d{1,19})$/.exec(decoded);
  if (!match?.[1] || encodeCursor(BigInt(match[1])) !== cursor) {
    throw new InvalidRequestError("Invalid query parameters", [
      { path: "cursor", message: "cursor is not valid" },
    ]);
  }
  return BigInt(match[1]);
}
