// POST of a CSV file (SPEC-ENTRIES, "CSV"): its rows read with csv-parse, each planned as the entry a JSON POST
// would send, then stored together by one insertEntries (one transaction: the whole file or nothing).
import { Readable } from "node:stream";
import { setImmediate as turnOfTheEventLoop } from "node:timers/promises";
import {
  type CsvLayout,
  CsvLineCounter,
  CsvProblem,
  csvLayoutOf,
  csvRowOf,
  EntryPlanner,
  type EntryVia,
  ErrorMessage,
  MAX_CSV_ROWS,
} from "@blocklist/core";
import type { PrismaClient } from "@blocklist/db";
import { CsvError, type Options, parse } from "csv-parse";
import { authorizeListAccess, type ListAccess } from "../access";
import type { Caller } from "../auth";
import { InvalidRequestError } from "../errors";
import { type CreateEntriesResponse, storePlannedEntries } from "./change";

/** How far an import is: its rows read and planned so far (`fraction` of the file's bytes), then storing. */
export interface CsvImportProgress {
  phase: "reading" | "storing";
  rows: number;
  fraction: number;
}

export interface CsvImportHooks {
  /** Charges the file's rows against the key's budget like a POST's entries (429 past it, nothing stored). */
  chargeRows(count: number): void;
  /** Told every PROGRESS_EVERY_ROWS rows, and once before the rows are stored. */
  onProgress?(progress: CsvImportProgress): void;
  /** Told the line of each created entry, in the order of the answer's `created` (its entries carry none). */
  onCreatedLines?(lines: number[]): void;
}

/** The list to import into, named as on a POST (`uid`, and `agentId` or `orgId`). */
export type CsvImportRequest = Omit<ListAccess, "write">;

// Between two batches of rows the event loop turns, so a 100,000-row file does not hold other requests up.
const PROGRESS_EVERY_ROWS = 1_000;
// Parsed in slices, so that the parser's buffer holds a slice's records, not the whole file's.
const SLICE_BYTES = 64 * 1024;

/** A 400 naming the line of the problem. */
function csvProblem(line: number, problem: CsvProblem): InvalidRequestError {
  return new InvalidRequestError(ErrorMessage.invalidCsv, [{ path: `line ${line}`, message: problem }]);
}

const PARSER_PROBLEMS: Record<string, CsvProblem> = {
  CSV_QUOTE_NOT_CLOSED: CsvProblem.quoteNotClosed,
  INVALID_OPENING_QUOTE: CsvProblem.quoteInField,
  CSV_INVALID_CLOSING_QUOTE: CsvProblem.textAfterQuote,
};

function slices(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) parts.push(bytes.subarray(at, at + SLICE_BYTES));
  return parts;
}

interface ParsedRecord {
  record: string[];
  line: number;
  /** The bytes read when the record was (its line end included). */
  bytes: number;
}

/**
 * Reads a file's rows into `planner` (each with its line and its cells as written); returns how many. A file
 * that cannot be read (no header, a quote never closed, more than MAX_CSV_ROWS rows) is a 400 naming the line.
 */
async function planRows(
  text: string,
  planner: EntryPlanner,
  onProgress: CsvImportHooks["onProgress"],
): Promise<number> {
  const bytes = Buffer.from(text);
  const lines = new CsvLineCounter(bytes);
  // A UTF-8 BOM, CRLF, LF or CR line ends (even mixed), quoted fields with commas, quotes and line breaks; rows
  // may have more or fewer cells than the header (a missing cell is an empty one). Lines are counted as the
  // parser reads (on_record), so that a parser error still knows the line of the record it was reading.
  const options: Options<ParsedRecord, string[]> = {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n", "\r"],
    on_record: (record, context) => ({ record, line: lines.startOf(context.bytes), bytes: context.bytes }),
  };
  // The parser's types take on_record's result for the record itself only with `columns`, unused here.
  const parser = Readable.from(slices(bytes)).pipe(parse(options as unknown as Options));
  let layout: CsvLayout | undefined;
  let rows = 0;
  try {
    for await (const { record, line, bytes: read } of parser as AsyncIterable<ParsedRecord>) {
      if (layout === undefined) {
        const found = csvLayoutOf(record);
        if (typeof found === "string") throw csvProblem(line, found);
        layout = found;
        if (layout.kind === "header") continue;
      }
      if (rows === MAX_CSV_ROWS) throw csvProblem(line, CsvProblem.tooManyRows);
      const row = csvRowOf(layout, record, line);
      planner.add(row.input, row.line, row.entry);
      rows++;
      if (rows % PROGRESS_EVERY_ROWS === 0) {
        onProgress?.({ phase: "reading", rows, fraction: read / bytes.length });
        await turnOfTheEventLoop();
      }
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw csvProblem(lines.next, PARSER_PROBLEMS[error.code] ?? CsvProblem.unreadable);
  } finally {
    parser.destroy();
  }
  if (layout === undefined) throw csvProblem(1, CsvProblem.empty);
  if (rows === 0) throw csvProblem(lines.next, CsvProblem.noRows);
  return rows;
}

/**
 * Imports a CSV file into a list: the answer of a JSON POST of its rows, `index` the line each row starts on
 * and `entry` its cells as written. The file is read and its rows charged (400, 429) before the list's access
 * is checked (401), as a POST's body is; then every planned row is stored in one transaction.
 */
export async function importEntries(
  db: PrismaClient,
  caller: Caller,
  request: CsvImportRequest,
  text: string,
  via: EntryVia,
  hooks: CsvImportHooks,
): Promise<CreateEntriesResponse> {
  const planner = new EntryPlanner(new Date());
  const rows = await planRows(text, planner, hooks.onProgress);
  hooks.chargeRows(rows);
  const list = await authorizeListAccess(db, caller, { ...request, write: true });
  hooks.onProgress?.({ phase: "storing", rows, fraction: 1 });
  const answer = await storePlannedEntries(db, caller, list, planner.plan, via);
  if (hooks.onCreatedLines) {
    // Every row is answered once, in `created` (in file order) or in `failed` (by its line).
    const failedLines = new Set(answer.failed.map((failure) => failure.index));
    hooks.onCreatedLines(
      planner.plan.planned.map((row) => row.index).filter((line) => !failedLines.has(line)),
    );
  }
  return answer;
}
