import type { CreateEntriesResponse } from "@blocklist/api";
import { stringify } from "csv-stringify/browser/esm/sync";
import type { CsvImportStatus } from "./entriesCsv";

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

/**
 * Each row's result: the refused rows by their line in the file (as written there), then the created entries.
 * The import's answer names a created entry without its line, so created rows have none in the report.
 */
export function importReportRows(result: CreateEntriesResponse): string[][] {
  const failed = [...result.failed]
    .sort((a, b) => a.index - b.index)
    .map((failure) => {
      const entry = failure.entry as { match?: unknown; value?: unknown };
      const cell = (value: unknown) => (typeof value === "string" ? value : "");
      return [String(failure.index), "failed", failure.reason, cell(entry.match), cell(entry.value)];
    });
  const created = result.created.map((entry) => ["", "created", "", entry.match, entry.value ?? ""]);
  return [...failed, ...created];
}

/** The report as a CSV file, header first. */
export const importReportCsv = (result: CreateEntriesResponse): string =>
  stringify([[...REPORT_COLUMNS], ...importReportRows(result)]);
