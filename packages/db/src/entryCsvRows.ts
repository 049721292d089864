// The pages of a list's CSV export (SPEC-ENTRIES, "CSV"), written by PostgreSQL's own CSV writer (COPY … TO
// STDOUT WITH (FORMAT csv), read with pg-copy-streams): a page arrives as CSV text, so a million-row export builds
// no row objects in Node and formats nothing there (csv-stringify of rows topped out near 160,000 rows a second on
// this machine; docs/BENCHMARKS.md). A page is two statements in one transaction, its connection released in
// between pages: the last position of the page (an index range), then COPY of the rows up to it.
import type { EntryList } from "@blocklist/core";
import { escapeLiteral } from "pg";
import { to as copyTo } from "pg-copy-streams";
import { type EntryFilters, inTransaction, pageWhere } from "./entries";
import { isoInstant as iso } from "./entryRows";
import type { PrismaClient } from "./generated/prisma/client";

// CSV_EXPORT_COLUMNS, in order and by name (COPY's HEADER writes the names); null is an empty cell.
const CSV_CELLS = [
  "e.id",
  "e.match",
  "e.value",
  "e.action",
  "e.direction",
  "e.reason",
  "e.note",
  `${iso("e.expires_at")} AS expires_at`,
  `${iso("e.created_at")} AS created_at`,
  "e.hits",
  `${iso("e.last_hit_at")} AS last_hit_at`,
].join(", ");

export interface EntryCsvPage {
  /** The page's rows as CSV lines (the header first when asked for); empty when the list has no more. */
  csv: Buffer;
  /** How many rows it holds. */
  rows: number;
  /** The position of the last row: the next page's afterSeq. */
  lastSeq: bigint | undefined;
}

/**
 * COPY takes no parameters: the statement's `$n` are written as literals, quoted by pg's escapeLiteral (every value
 * here is a validated id, an enum value, digits or a position, but none is trusted for that).
 */
function withLiterals(sql: string, values: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, index: string) => escapeLiteral(String(values[Number(index) - 1])));
}

/** A page of a list's export after `afterSeq`, in the order and with the filters of selectEntries. */
export async function selectEntryCsvPage(
  db: PrismaClient,
  list: EntryList,
  filters: EntryFilters,
  page: { afterSeq?: bigint | undefined; limit: number; header: boolean },
): Promise<EntryCsvPage> {
  const values: unknown[] = [];
  const where = pageWhere(list, filters, page, values);
  // Through inTransaction: a connection lost midway (its backend gone during the COPY) is discarded, not thrown at
  // the process, since inTransaction listens for the checked-out client's errors.
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<[string | null, number]>({
      text: `SELECT max(seq)::text, count(*)::int FROM (
               SELECT e.seq FROM entries e WHERE ${where} ORDER BY e.seq LIMIT $${values.length}) page`,
      values,
      rowMode: "array",
    });
    const [lastSeq = null, count = 0] = rows[0] ?? [];
    if (lastSeq === null && !page.header) return { csv: Buffer.alloc(0), rows: 0, lastSeq: undefined };
    const upTo = lastSeq === null ? "false" : `e.seq <= ${escapeLiteral(lastSeq)}`;
    const copy = client.query(
      copyTo(
        `COPY (SELECT ${CSV_CELLS} FROM entries e WHERE ${withLiterals(where, values)} AND ${upTo} ORDER BY e.seq)
         TO STDOUT WITH (FORMAT csv${page.header ? ", HEADER" : ""})`,
      ),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of copy) chunks.push(chunk as Buffer);
    return {
      csv: Buffer.concat(chunks),
      rows: count,
      lastSeq: lastSeq === null ? undefined : BigInt(lastSeq),
    };
  });
}
