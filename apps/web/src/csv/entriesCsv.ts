// The UI's CSV calls (docs/DECISIONS.md, "CSV for the UI"), on the session cookie like the tRPC client: the
// export is a link to download, the import an XHR whose upload progress and the server's NDJSON events move one
// progress bar from 0 to 1.
import type { CreateEntriesResponse } from "@blocklist/api";

export const UI_CSV_PATH = "/api/ui/entries.csv";

/** A list: an agent's own, or its organization's. */
export type CsvList = { agentId: string } | { orgId: string };

/** entries.list's filters, as the export takes them (limit and cursor do not apply: the whole list). */
export interface CsvExportFilters {
  match?: string;
  action?: string;
  direction?: string;
  reason?: string;
  search?: string;
  include?: "expired";
}

/** The URL of a list's CSV, for `<a href={…} download>`: the browser sends the session cookie. */
export function entriesCsvExportUrl(list: CsvList, filters: CsvExportFilters = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...list, ...filters })) {
    if (value !== undefined && value !== "") query.set(name, value);
  }
  return `${UI_CSV_PATH}?${query}`;
}

/** Where an import stands: `fraction` of the whole job, 0 to 1 (upload to 0.5, reading to 0.95, then storing). */
export interface CsvImportStatus {
  phase: "uploading" | "reading" | "storing";
  fraction: number;
  /** Rows read so far (reading, storing). */
  rows?: number;
}

/** A refused import: the status and JSON error body a REST call would have answered. */
export class CsvImportError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; issues?: { path: string; message: string }[] },
  ) {
    super(body.error);
    this.name = "CsvImportError";
  }
}

/** The answer of a POST (`failed[].index` is the row's line), and the line of each entry in `created`. */
export type CsvImportResult = CreateEntriesResponse & { createdLines: number[] };

type ServerEvent =
  | { type: "progress"; phase: "reading" | "storing"; rows: number; fraction: number }
  | { type: "result"; result: CsvImportResult }
  | { type: "error"; status: number; error: string; issues?: { path: string; message: string }[] };

const UPLOAD_SHARE = 0.5;
const READING_SHARE = 0.45;

/**
 * Imports a CSV file into a list: resolves with the answer of a POST (`failed[].index` is the row's line), or
 * rejects with a CsvImportError (401, 403, 413, 415, 429, 400 naming a line, 503). `onStatus` is called as the
 * file uploads and as the server reads and stores it.
 */
export function importEntriesCsv(
  file: Blob,
  list: CsvList,
  onStatus: (status: CsvImportStatus) => void,
  signal?: AbortSignal,
): Promise<CsvImportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let read = 0;
    let outcome: ServerEvent | undefined;
    const readEvents = () => {
      const text = xhr.responseText;
      let end = text.indexOf("\n", read);
      while (end !== -1) {
        const event = JSON.parse(text.slice(read, end)) as ServerEvent;
        read = end + 1;
        if (event.type === "progress") {
          const fraction =
            event.phase === "reading"
              ? UPLOAD_SHARE + READING_SHARE * event.fraction
              : UPLOAD_SHARE + READING_SHARE;
          onStatus({ phase: event.phase, fraction, rows: event.rows });
        } else outcome = event;
        end = text.indexOf("\n", read);
      }
    };
    xhr.open("POST", entriesCsvExportUrl(list));
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) {
        onStatus({ phase: "uploading", fraction: UPLOAD_SHARE * (event.loaded / event.total) });
      }
    };
    xhr.onprogress = () => {
      if (xhr.status === 200) readEvents();
    };
    xhr.onload = () => {
      if (xhr.status !== 200) {
        reject(new CsvImportError(xhr.status, JSON.parse(xhr.responseText)));
        return;
      }
      readEvents();
      if (outcome?.type === "result") {
        onStatus({ phase: "storing", fraction: 1 });
        resolve(outcome.result);
      } else if (outcome?.type === "error") {
        const { status, type: _type, ...body } = outcome;
        reject(new CsvImportError(status, body));
      } else reject(new CsvImportError(503, { error: "Service unavailable" }));
    };
    xhr.onerror = () => reject(new CsvImportError(0, { error: "Network error" }));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.onabort = () => reject(new CsvImportError(0, { error: "Aborted" }));
    xhr.send(file);
  });
}
