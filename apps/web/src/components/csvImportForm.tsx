"use client";

import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import {
  CsvImportError,
  type CsvImportResult,
  type CsvImportStatus,
  importEntriesCsv,
} from "~/csv/entriesCsv";
import { importPercent, importReportCsv, importStatusText } from "~/csv/importWords";
import { useTRPC } from "~/trpc/react";
import { formatCount, plural } from "./format";
import type { ListRef } from "./listRef";

// A page shows this many refused rows; the report holds every row.
const SHOWN_FAILURES = 100;

type ImportState =
  | { step: "idle" }
  | { step: "running"; status: CsvImportStatus }
  | { step: "done"; fileName: string; result: CsvImportResult }
  | { step: "refused"; message: string };

/** Why the service refused a file, in a sentence: its message, and the line it names. */
function refusalOf(error: unknown): string {
  if (!(error instanceof CsvImportError)) return "The file could not be imported.";
  if (error.status === 0) return "The service could not be reached. Check your connection and try again.";
  const issue = error.body.issues?.[0];
  return issue ? `${error.body.error}: ${issue.path}: ${issue.message}` : error.body.error;
}

/** Offers the report as a file download, made in the browser from the answer. */
function downloadReport(fileName: string, result: CsvImportResult) {
  const url = URL.createObjectURL(new Blob([importReportCsv(result)], { type: "text/csv" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${fileName.replace(/\.csv$/i, "")}-import-report.csv`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Import a CSV file into the list: a progress bar through upload, reading and storing, then each row's result. */
export function CsvImportForm({ list, listName }: { list: ListRef; listName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File>();
  const [state, setState] = useState<ImportState>({ step: "idle" });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) return;
    setState({ step: "running", status: { phase: "uploading", fraction: 0 } });
    try {
      const result = await importEntriesCsv(file, list, (status) => setState({ step: "running", status }));
      setState({ step: "done", fileName: file.name, result });
      await Promise.all([
        queryClient.invalidateQueries(trpc.entries.pathFilter()),
        queryClient.invalidateQueries(trpc.blockList.pathFilter()),
      ]);
    } catch (error) {
      setState({ step: "refused", message: refusalOf(error) });
    }
  };

  const running = state.step === "running";
  return (
    <section className="csv-import" aria-labelledby="csv-import-title">
      <h4 id="csv-import-title">Import CSV</h4>
      <form className="inline-form" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor="csv-file">CSV file to import into the list of {listName}</label>
          <input
            id="csv-file"
            type="file"
            accept=".csv,text/csv"
            disabled={running}
            aria-describedby="csv-file-hint"
            onChange={(event) => setFile(event.target.files?.[0])}
          />
          <p id="csv-file-hint" className="hint">
            A header naming value (and any of match, action, direction, reason, note, expires_at), or one
            number a line. Up to 100,000 rows; an export imports as it is.
          </p>
        </div>
        <button type="submit" className="button-primary" disabled={!file || running}>
          {running ? "Importing…" : "Import"}
        </button>
      </form>
      {state.step === "running" ? (
        <div className="import-progress">
          <progress
            id="csv-progress"
            max={100}
            value={importPercent(state.status)}
            aria-labelledby="csv-progress-label"
            aria-describedby="csv-progress-status"
          />
          <span id="csv-progress-label" className="visually-hidden">
            Import progress
          </span>
          <p id="csv-progress-status" className="muted" role="status" aria-live="polite">
            {importStatusText(state.status)}
          </p>
        </div>
      ) : null}
      {state.step === "refused" ? (
        <div className="notice notice-error" role="alert">
          {state.message}
        </div>
      ) : null}
      {state.step === "done" ? <ImportReport fileName={state.fileName} result={state.result} /> : null}
    </section>
  );
}

function ImportReport({ fileName, result }: { fileName: string; result: CsvImportResult }) {
  const failures = [...result.failed].sort((a, b) => a.index - b.index);
  const shown = failures.slice(0, SHOWN_FAILURES);
  return (
    <div className="import-report">
      <p className="summary" role="status">
        <strong>
          Imported {fileName}: created {plural(result.created.length, "entry", "entries")}
          {failures.length > 0 ? `, ${plural(failures.length, "row")} failed` : ""}.
        </strong>
      </p>
      <button type="button" onClick={() => downloadReport(fileName, result)}>
        Download the report (CSV)
      </button>
      {failures.length > 0 ? (
        <table className="failures" aria-label="Rows not imported">
          <caption>
            Rows not imported ({formatCount(failures.length)}
            {failures.length > shown.length ? `, the first ${formatCount(shown.length)} shown` : ""})
          </caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Value</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((failure) => {
              const value = (failure.entry as { value?: unknown }).value;
              return (
                <tr key={failure.index}>
                  <td className="number-cell">{failure.index}</td>
                  <td>
                    <code className="as-typed">{typeof value === "string" ? value : ""}</code>
                  </td>
                  <td>{failure.reason}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
