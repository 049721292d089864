import { type EntriesQuery, type Entry, searchDigits } from "@blocklist/core";
import { countEntries, type EntryFilters, type PrismaClient, selectEntries } from "@blocklist/db";
import { authorizeListAccess } from "../access";
import type { Caller } from "../auth";
import { type CursorScope, decodeCursor } from "../cursor";
import { cursorKeyOf } from "../cursorKey";
import { keysetPage } from "./keysetPage";

export interface EntriesPage {
  entries: Entry[];
  /** How many entries match the filters, all pages together. */
  count: number;
  nextCursor?: string;
}

/** The filters of a list query, as the store takes them. */
export function entryFiltersOf(query: EntriesQuery): EntryFilters {
  return {
    match: query.match,
    action: query.action,
    direction: query.direction,
    reason: query.reason,
    containingDigits: searchDigits(query.search),
    includeExpired: query.include === "expired",
  };
}

/**
 * A list's entries that match the filters, oldest first, one page at a time; the entries and the count are read
 * through `reads` (a replica's, laggingReadsOf, where lag is acceptable), access through `db`.
 */
export async function listEntries(
  db: PrismaClient,
  caller: Caller,
  query: EntriesQuery,
  reads: PrismaClient = db,
): Promise<EntriesPage> {
  const filters = entryFiltersOf(query);
  // A cursor pages the list (and filters) it was issued for, and no other.
  const scope: CursorScope = {
    kind: "entries",
    listId: JSON.stringify([query.agentId ?? query.orgId, filters]),
  };
  const afterSeq =
    query.cursor === undefined ? undefined : decodeCursor(await cursorKeyOf(db), scope, query.cursor);
  const list = await authorizeListAccess(db, caller, { ...query, write: false });
  // One extra row tells whether another page follows.
  const [page, count] = await Promise.all([
    selectEntries(reads, list, filters, { afterSeq, limit: query.limit + 1 }),
    countEntries(reads, list, filters),
  ]);
  const { rows, nextCursor } = await keysetPage(
    db,
    scope,
    { rows: page.entries, seqs: page.seqs },
    query.limit,
  );
  return { entries: rows, count, ...(nextCursor === undefined ? {} : { nextCursor }) };
}
