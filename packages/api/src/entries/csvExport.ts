// GET of a list as CSV (SPEC-ENTRIES, "CSV"): the whole filtered list, no paging, read by keyset pages of
// selectEntries and formatted a page at a time by csv-stringify. The stream pulls the next page only when the
// previous one has been taken (the socket drained), so a list of any size is answered in the memory of a page.
import { Readable } from "node:stream";
import { CSV_EXPORT_COLUMNS, csvExportRowOf, type EntriesQuery, type EntryList } from "@blocklist/core";
import { type EntryPage, type PrismaClient, selectEntries } from "@blocklist/db";
import { stringify } from "csv-stringify/sync";
import { authorizeListAccess } from "../access";
import type { Caller } from "../auth";
import { entryFiltersOf } from "./list";

/** Entries read per query of an export. */
export const EXPORT_PAGE_SIZE = 5_000;

export interface EntriesCsv {
  /** The download's name: the list's id. */
  filename: string;
  /** The file's text, in pieces, header first. */
  csv: Readable;
}

function csvOf(page: EntryPage, header: boolean): string {
  return stringify(page.entries.map(csvExportRowOf), { header, columns: [...CSV_EXPORT_COLUMNS] });
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
    selectEntries(db, list, filters, { afterSeq, limit: EXPORT_PAGE_SIZE });
  // Read before the answer starts, so that a database away answers 503 rather than a cut-off 200.
  const first = await pageAfter(undefined);
  async function* pieces() {
    yield csvOf(first, true);
    for (let page = first; page.entries.length === EXPORT_PAGE_SIZE; ) {
      page = await pageAfter(page.seqs.at(-1));
      if (page.entries.length > 0) yield csvOf(page, false);
    }
  }
  return { filename: `block-list-${list.agentId ?? list.orgId}.csv`, csv: Readable.from(pieces()) };
}
