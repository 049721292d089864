import type { PrismaClient } from "@blocklist/db";
import { type CursorScope, encodeCursor } from "../cursor";
import { cursorKeyOf } from "../cursorKey";

/**
 * The first `limit` of rows read `limit + 1` at a time (the extra row tells whether another page follows), and the
 * cursor of the last one kept when one does.
 */
export async function keysetPage<Row>(
  db: PrismaClient,
  scope: CursorScope,
  read: { rows: Row[]; seqs: bigint[] },
  limit: number,
): Promise<{ rows: Row[]; nextCursor?: string }> {
  const lastSeq = read.rows.length > limit ? read.seqs[limit - 1] : undefined;
  if (lastSeq === undefined) return { rows: read.rows };
  return { rows: read.rows.slice(0, limit), nextCursor: encodeCursor(await cursorKeyOf(db), scope, lastSeq) };
}
