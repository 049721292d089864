// GET of a list as CSV (SPEC-ENTRIES, "CSV"): the whole filtered list, no paging, read by keyset pages of its
// export rows (selectEntryCsvRows: the cells as PostgreSQL formats them, in selectEntries' order and filters)
// and formatted a page at a time by csv-stringify. The stream pulls the next page only when the previous one
// has been taken (the socket drained), so a list of any size is answered in the memory of a page.
import { Readable } from "node:stream";
import { CSV_EXPORT_COLUMNS, type EntriesQuery, type EntryList } from "@blocklist/core";
import { type EntryCsvPage, type PrismaClient, selectEntryCsvRows } from "@blocklist/db";
import { stringify } from "csv-stringify/sync";
import { authorizeListAccess } from "../access";
import type { Caller } from "../auth";
import { entryFiltersOf } from "./list";

/** Rows read per query of an export. */
export const EXPORT_PAGE_SIZE = 1_000;

export interface EntriesCsv {
  /** The download's name: the list's id. */
  filename: string;
  /** The file's text, in pieces, header first. */
  csv: Readable;
}

function csvOf(page: EntryCsvPage, header: boolean): string {
  return stringify(page.rows, { header, columns: [...CSV_EXPORT_COLUMNS] });
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
    selectEntryCsvRows(db, list, filters, { afterSeq, limit: EXPORT_PAGE_SIZE });
  // Read before the answer starts, so that a database away answers 503 rather than a cut-off 200.
  const first = await pageAfter(undefined);
  async function* pieces() {
    yield csvOf(first, true);
    for (let page = first; page.rows.length === EXPORT_PAGE_SIZE; ) {
      page = await pageAfter(page.lastSeq);
      if (page.rows.length > 0) yield csvOf(page, false);
    }
  }
  // One page ahead at most (Readable.from buffers 16 pieces by default: 16 pages).
  const csv = Readable.from(pieces(), { highWaterMark: 1 });
  return { filename: `block-list-${list.agentId ?? list.orgId}.csv`, csv };
}
