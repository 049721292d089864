// CSV files of entries (SPEC-ENTRIES, "CSV"): what a header names, what a row asks to create, on which line it
// starts, and the export's columns. Pure: the parsing itself is csv-parse's (packages/api/src/entries/csv*.ts).
import type { Entry } from "./fields";

/** The columns an import reads; any other column (an export's `id`, `hits`, …) is ignored. */
export const CSV_IMPORT_COLUMNS = [
  "match",
  "value",
  "action",
  "direction",
  "reason",
  "note",
  "expires_at",
] as const;
export type CsvImportColumn = (typeof CSV_IMPORT_COLUMNS)[number];

/** The export's header row, in this order: the import's columns, between the entry's id and its counts. */
export const CSV_EXPORT_COLUMNS = ["id", ...CSV_IMPORT_COLUMNS, "created_at", "hits", "last_hit_at"] as const;

export const MAX_CSV_ROWS = 100_000;
export const MAX_CSV_BODY_BYTES = 16 * 1024 * 1024;
export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";

/** What the first record of a file says about the rest: named columns, or a plain list of numbers. */
export type CsvLayout =
  | { kind: "header"; columns: ReadonlyMap<CsvImportColumn, number> }
  | { kind: "numbers" };

/** Why a file cannot be read at all (a 400 naming the line), the texts of the API. */
export const CsvProblem = {
  empty: "the file has no header and no rows",
  noValueColumn: "the header must name a value column (or the file be one column of numbers)",
  noRows: "the file has a header but no rows",
  tooManyRows: `a file holds at most ${MAX_CSV_ROWS} rows`,
  quoteNotClosed: "a quoted field is never closed",
  quoteInField: "a quote inside a field that is not quoted",
  textAfterQuote: "a closing quote must be followed by a comma or the end of the line",
  unreadable: "the file cannot be read as CSV",
} as const;
export type CsvProblem = (typeof CsvProblem)[keyof typeof CsvProblem];

// A number as people write it: digits, an optional leading +, and the formatting characters of phone.ts.
const NUMBER_CELL = /^\+?[\d\s().\-/]*\d[\d\s().\-/]*$/;

const isImportColumn = (name: string): name is CsvImportColumn =>
  (CSV_IMPORT_COLUMNS as readonly string[]).includes(name);

/**
 * The layout a file's first record gives: a header (names compared trimmed and in any case; the first of a
 * repeated name counts), or, for a one-column file whose first line is a number, a list of numbers.
 */
export function csvLayoutOf(firstRecord: readonly string[]): CsvLayout | CsvProblem {
  if (firstRecord.length === 1 && NUMBER_CELL.test(firstRecord[0]?.trim() ?? "")) return { kind: "numbers" };
  const columns = new Map<CsvImportColumn, number>();
  firstRecord.forEach((cell, position) => {
    const name = cell.trim().toLowerCase();
    if (isImportColumn(name) && !columns.has(name)) columns.set(name, position);
  });
  return columns.has("value") ? { kind: "header", columns } : CsvProblem.noValueColumn;
}

/** One row of an import: its line, the row as written (its named columns), and the entry a POST would send. */
export interface CsvRow {
  /** The line the row starts on; the header is line 1. */
  line: number;
  entry: Partial<Record<CsvImportColumn, string>>;
  input: Record<string, string>;
}

// The input's field for each column; `match` defaults to `number` when absent or empty.
const INPUT_FIELD: Record<CsvImportColumn, string> = {
  match: "match",
  value: "value",
  action: "action",
  direction: "direction",
  reason: "reason",
  note: "note",
  expires_at: "expiresAt",
};

/**
 * A record as the entry input of a JSON POST: an empty cell is a field not given, cells are trimmed (spreadsheets
 * pad them) except a note, which is free text, and `expires_at` is the `expiresAt` instant (the export's form).
 */
export function csvRowOf(layout: CsvLayout, record: readonly string[], line: number): CsvRow {
  const entry: CsvRow["entry"] = {};
  if (layout.kind === "numbers") entry.value = record[0] ?? "";
  else for (const [column, position] of layout.columns) entry[column] = record[position] ?? "";
  const input: Record<string, string> = {};
  for (const [column, cell] of Object.entries(entry) as [CsvImportColumn, string][]) {
    const value = column === "note" ? cell : cell.trim();
    if (value !== "") input[INPUT_FIELD[column]] = value;
  }
  input.match ??= "number";
  return { line, entry, input };
}

/** An entry as a row of the export, in CSV_EXPORT_COLUMNS order; null is an empty cell. */
export function csvExportRowOf(entry: Entry): string[] {
  return [
    entry.id,
    entry.match,
    entry.value ?? "",
    entry.action,
    entry.direction,
    entry.reason ?? "",
    entry.note ?? "",
    entry.expiresAt ?? "",
    entry.createdAt,
    String(entry.hits),
    entry.lastHitAt ?? "",
  ];
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Line numbers of records, from the file's bytes and where each record ends (the parser's byte count after it,
 * its line end included). csv-parse's own line count is off after a CRLF inside a quoted field, which is common
 * in spreadsheets' notes, so lines are counted here: `\r\n`, `\n` and a lone `\r` each end one line.
 */
export class CsvLineCounter {
  #end = 0;
  #linesBefore = 0;

  constructor(readonly bytes: Uint8Array) {}

  /** The line of the record that ends at byte `end` (skipped empty lines before it are not its lines). */
  startOf(end: number): number {
    const line = this.next;
    for (let at = this.#end; at < end; at++) {
      const byte = this.bytes[at];
      if (byte === LF || (byte === CR && this.bytes[at + 1] !== LF)) this.#linesBefore++;
    }
    this.#end = end;
    return line;
  }

  /** The line the next record starts on: after the last record, and any empty lines that follow it. */
  get next(): number {
    let line = 1 + this.#linesBefore;
    for (let at = this.#end; at < this.bytes.length; at++) {
      const byte = this.bytes[at];
      if (byte === LF || (byte === CR && this.bytes[at + 1] !== LF)) line++;
      else if (byte !== CR) break;
    }
    return line;
  }
}
