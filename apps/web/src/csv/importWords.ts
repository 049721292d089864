import { stringify } from "csv-stringify/browser/esm/sync";
import type { CsvImportResult, CsvImportStatus } from "./entriesCsv";

// A CSV import in words and as a downloadable report. Pure, unit-tested.

const counts = new Intl.NumberFormat("en-US");

/** The progress as a whole percent, 0 to 100, for the bar and its text. */
export const importPercent = (status: CsvImportStatus): number => Math.floor(status.fraction * 100);

/** What a screen reader hears and the page shows beside the bar: the phase, the rows so far, the percent. */
export function importStatusText(status: CsvImportStatus): string {
  const percent = `${importPercent(status)}%`;
  if (status.phase === "uploading") return `Uploading the file… ${percent}`;
  const rows = counts.format(status.rows ?? 0);
  if (status.phase === "reading") return `Reading rows: ${rows} read… ${percent}`;
  return status.fraction >= 1 ? `Stored ${rows} rows. 100%` : `Storing ${rows} rows… ${percent}`;
}

export const REPORT_COLUMNS = ["line", "result", "reason", "match", "value"] as const;

/** Each row's result by the line it starts on in the file: created, or failed with its reason. */
export function importReportRows(result: CsvImportResult): string[][] {
  const cell = (value: unknown) => (typeof value === "string" ? value : "");
  const failed = result.failed.map((failure) => {
    const entry = failure.entry as { match?: unknown; value?: unknown };
    return { line: failure.index, cells: ["failed", failure.reason, cell(entry.match), cell(entry.value)] };
  });
  const created = result.created.map((entry, position) => ({
    line: result.createdLines[position] ?? 0,
    cells: ["created", "", entry.match, entry.value ?? ""],
  }));
  return [...failed, ...created]
    .sort((a, b) => a.line - b.line)
    .map((row) => [String(row.line), ...row.cells]);
}

/** The report as a CSV file, header first. */
export const importReportCsv = (result: CsvImportResult): string =>
  stringify([[...REPORT_COLUMNS], ...importReportRows(result)]);
