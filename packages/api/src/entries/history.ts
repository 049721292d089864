import type { EntryEvent, HistoryQuery } from "@blocklist/core";
import { type PrismaClient, selectHistory } from "@blocklist/db";
import { authorizeListAccess } from "../access";
import type { Caller } from "../auth";
import { type CursorScope, decodeCursor } from "../cursor";
import { cursorKeyOf } from "../cursorKey";
import { keysetPage } from "./keysetPage";

export interface HistoryPage {
  /** Newest first. */
  events: EntryEvent[];
  nextCursor?: string;
}

/** A list's history, newest first, one page at a time (SPEC-ENTRIES, the `history` route). */
export async function listHistory(
  db: PrismaClient,
  caller: Caller,
  query: HistoryQuery,
): Promise<HistoryPage> {
  // A cursor pages the history of the list it was issued for, and no other (nor that list's entries).
  const scope: CursorScope = { kind: "history", listId: query.agentId ?? query.orgId ?? "" };
  const beforeSeq =
    query.cursor === undefined ? undefined : decodeCursor(await cursorKeyOf(db), scope, query.cursor);
  const list = await authorizeListAccess(db, caller, { ...query, write: false });
  const read = await selectHistory(db, list, { beforeSeq, limit: query.limit + 1 });
  const { rows, nextCursor } = await keysetPage(
    db,
    scope,
    { rows: read.events, seqs: read.seqs },
    query.limit,
  );
  return { events: rows, ...(nextCursor === undefined ? {} : { nextCursor }) };
}
