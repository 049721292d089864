import { createSecretKey, type KeyObject } from "node:crypto";
import type { PrismaClient } from "@blocklist/db";

/** The database's cursor secret as a key (the row its migration made; every instance reads the same). */
export async function loadCursorKey(db: PrismaClient): Promise<KeyObject> {
  const row = await db.cursorSecret.findUnique({ where: { id: 1 }, select: { secret: true } });
  if (!row) throw new Error("The cursor secret is missing: table cursor_secret has no row");
  return createSecretKey(row.secret);
}

const keys = new WeakMap<PrismaClient, Promise<KeyObject>>();

/**
 * The cursor key of the database behind `db`, read once per client (the first page asked for, or a server
 * that calls this at start). A failed read is not kept: the next request reads again.
 */
export function cursorKeyOf(db: PrismaClient): Promise<KeyObject> {
  let key = keys.get(db);
  if (!key) {
    const loading = loadCursorKey(db);
    loading.catch(() => {
      if (keys.get(db) === loading) keys.delete(db);
    });
    keys.set(db, loading);
    key = loading;
  }
  return key;
}
