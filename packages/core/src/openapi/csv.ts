// The CSV side of /api/block-list-entries (SPEC-ENTRIES, "CSV") in the document: GET answers `text/csv` when
// asked for it, POST takes a `text/csv` file. Added to the operations built from the JSON schemas.
import {
  CSV_EXPORT_COLUMNS,
  CSV_IMPORT_COLUMNS,
  CsvProblem,
  MAX_CSV_BODY_BYTES,
  MAX_CSV_ROWS,
} from "../entries";
import { ErrorMessage } from "../messages";
import type { OperationObject } from "./types";

const csvText = (description: string, example: string) => ({
  schema: { type: "string", description },
  example,
});

const EXPORT_EXAMPLE = `${CSV_EXPORT_COLUMNS.join(",")}
ent_4Jq9TzXbN2kW8rVmY3cA,prefix,+1900,block,inbound,spam,,,2026-12-01T18:00:00.000Z,12,2026-12-01T19:30:00.000Z
ent_7Hs2LpQeR5tU9wZx1bDf,number,+19002345678,allow,inbound,,"Partner, since 2020",,2026-12-01T18:00:01.000Z,0,
`;

const IMPORT_EXAMPLE = `match,value,action,reason,note,expires_at
number,+1 415 555 2671,,spam,"Called 40 times, ""rude""",
prefix,+1 900,,fraud,,
withheld,,,,,2027-01-01T00:00:00Z
number,+1 900 234 5678,allow,,Partner,
`;

/** GET: `Accept: text/csv` answers the whole filtered list as a file. */
export function withCsvExport(operation: OperationObject): OperationObject {
  const ok = operation.responses["200"];
  if (ok === undefined || "$ref" in ok) throw new Error("listEntries has no 200 to add text/csv to");
  ok.content = {
    ...ok.content,
    "text/csv": csvText(
      `With \`Accept: text/csv\`: the whole list matching the filters (\`limit\` and \`cursor\` do not apply), ` +
        `oldest first, as \`text/csv; charset=utf-8\` with \`Content-Disposition: attachment; ` +
        `filename="block-list-<list id>.csv"\`. The header row is \`${CSV_EXPORT_COLUMNS.join(",")}\`; an empty ` +
        "cell is null; instants are ISO 8601 UTC. It streams: a list of any size is answered in the memory of a " +
        "page. It imports back as it is (POST).",
      EXPORT_EXAMPLE,
    ),
  };
  operation.description +=
    " With `Accept: text/csv` the answer is the whole filtered list as a CSV file instead (see the 200's " +
    "`text/csv`).";
  return operation;
}

/** POST: `Content-Type: text/csv` imports a file into the list named in the query. */
export function withCsvImport(operation: OperationObject): OperationObject {
  if (operation.requestBody === undefined) throw new Error("createEntries has no body to add text/csv to");
  operation.requestBody.content = {
    ...operation.requestBody.content,
    "text/csv": csvText(
      `A CSV file (at most ${MAX_CSV_BODY_BYTES} bytes, 16 MiB; ${MAX_CSV_ROWS} rows), the list named in the ` +
        "query instead of the body: `?uid=…&agentId=…` or `?uid=…&orgId=…`. A header names any of " +
        `\`${CSV_IMPORT_COLUMNS.join(",")}\` (\`value\` is required; other columns, such as an export's \`id\` ` +
        "or `hits`, are ignored); `match` defaults to `number`; an empty cell is a field not given; " +
        "`expires_at` is an ISO 8601 instant (`expiresAt`). A one-column file whose first line is a number is a " +
        "list of numbers. Quoted fields, commas and line breaks inside quotes, a UTF-8 BOM and CRLF work. The " +
        "answer is the JSON POST's, with `index` the line each row starts on (the header is line 1) and `entry` " +
        "the row's named cells as written. Atomic per file: every row is stored in one transaction, or none " +
        `(503). A file that cannot be read is a 400 \`${ErrorMessage.invalidCsv}\` whose issue names the line ` +
        `(\`path: "line 3"\`) and the problem: ${Object.values(CsvProblem)
          .map((problem) => `\`${problem}\``)
          .join(", ")}. It costs like a POST of as many entries as rows.`,
      IMPORT_EXAMPLE,
    ),
  };
  operation.description +=
    " With `Content-Type: text/csv` it imports a CSV file instead (see the body's `text/csv`).";
  return operation;
}
