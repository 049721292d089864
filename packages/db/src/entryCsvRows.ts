// The rows of a list's CSV export (SPEC-ENTRIES, "CSV"), formatted by PostgreSQL: each row arrives as the text of
// its cells in the export's column order, so a million-row export builds no Entry objects and no Dates.
import type { EntryList } from "@blocklist/core";
import { poolOf } from "./client";
import { type EntryFilters, pageWhere } from "./entries";
import type { PrismaClient } from "./generated/prisma/client";

/** An instant as Date.prototype.toISOString writes it (the JSON answers' form): UTC, milliseconds, `Z`. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// CSV_EXPORT_COLUMNS' order; null is an empty cell. The position (seq) comes last, for the next page.
const CSV_CELLS = [
  "e.id",
  "e.match",
  "coalesce(e.value, '')",
  "e.action",
  "e.direction",
  "coalesce(e.reason, '')",
  "coalesce(e.note, '')",
  `coalesce(${iso("e.expires_at")}, '')`,
  iso("e.created_at"),
  "e.hits::text",
  `coalesce(${iso("e.last_hit_at")}, '')`,
  "e.seq::text",
].join(", ");

export interface EntryCsvPage {
  /** Oldest first, each the cells of CSV_EXPORT_COLUMNS. */
  rows: string[][];
  /** The position of the last row: the next page's afterSeq. */
  lastSeq: bigint | undefined;
}

/** A page of a list's export rows after `afterSeq`, in the order and with the filters of selectEntries. */
export async function selectEntryCsvRows(
  db: PrismaClient,
  list: EntryList,
  filters: EntryFilters,
  page: { afterSeq?: bigint | undefined; limit: number },
): Promise<EntryCsvPage> {
  const values: unknown[] = [];
  const where = pageWhere(list, filters, page, values);
  const { rows } = await poolOf(db).query<string[]>({
    text: `SELECT ${CSV_CELLS} FROM entries e WHERE ${where} ORDER BY e.seq LIMIT $${values.length}`,
    values,
    rowMode: "array",
  });
  let lastSeq: string | undefined;
  for (const row of rows) lastSeq = row.pop();
  return { rows, lastSeq: lastSeq === undefined ? undefined : BigInt(lastSeq) };
}
