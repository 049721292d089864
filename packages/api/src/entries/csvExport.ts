// GET of a list as CSV (SPEC-ENTRIES, "CSV"): the whole filtered list, no paging, read by keyset pages that
// PostgreSQL writes as CSV itself (selectEntryCsvPage: COPY, in selectEntries' order and filters). The stream pulls
// the next page only when the previous one has been taken (the socket drained), so a list of any size is answered
// in the memory of a page, and no connection is held between pages.
import { Readable } from "node:stream";
import type { EntriesQuery, EntryList } from "@blocklist/core";
import { type PrismaClient, selectEntryCsvPage } from "@blocklist/db";
import { authorizeListAccess } from "../access";
import type { Caller } from "../auth";
import { entryFiltersOf } from "./list";

/** Rows read per page of an export (about 1.5 MB of CSV). */
export const EXPORT_PAGE_SIZE = 10_000;

export interface EntriesCsv {
  /** The download's name: the list's id. */
  filename: string;
  /** The file's text, in pieces, header first. */
  csv: Readable;
}

/** A list's entries that match the query's filters (not its `limit` or `cursor`), oldest first, as CSV. */
export async function exportEntries(
  db: PrismaClient,
  caller: Caller,
  query: EntriesQuery,
): Promise<EntriesCsv> {
  const list: EntryList = await authorizeListAccess(db, caller, { ...query, write: false });
  const filters = entryFiltersOf(query);
  const pageAfter = (afterSeq: bigint | undefined) =>
    selectEntryCsvPage(db, list, filters, {
      afterSeq,
      limit: EXPORT_PAGE_SIZE,
      header: afterSeq === undefined,
    });
  // Read before the answer starts, so that a database away answers 503 rather than a cut-off 200.
  const first = await pageAfter(undefined);
  async function* pieces() {
    yield first.csv;
    for (let page = first; page.rows === EXPORT_PAGE_SIZE; ) {
      page = await pageAfter(page.lastSeq);
      if (page.rows > 0) yield page.csv;
    }
  }
  // One page ahead at most (Readable.from buffers 16 pieces by default: 16 pages).
  const csv = Readable.from(pieces(), { highWaterMark: 1 });
  return { filename: `block-list-${list.agentId ?? list.orgId}.csv`, csv };
}
