import { describe, expect, it } from "vitest";
import type { CsvImportResult } from "./entriesCsv";
import { importReportCsv, importStatusText } from "./importWords";

const entry = (match: "number" | "withheld", value: string | null) => ({
  id: "ent_1",
  orgId: "org_1",
  agentId: "agt_1",
  match,
  value,
  action: "block" as const,
  direction: "inbound" as const,
  reason: null,
  note: null,
  expiresAt: null,
  createdAt: "2026-12-01T00:00:00.000Z",
  createdBy: null,
  hits: 0,
  lastHitAt: null,
});

describe("a CSV import in words", () => {
  it("says where the import stands, with the rows read and a whole percent", () => {
    expect([
      importStatusText({ phase: "uploading", fraction: 0.2345 }),
      importStatusText({ phase: "reading", fraction: 0.725, rows: 45_000 }),
      importStatusText({ phase: "storing", fraction: 0.95, rows: 100_000 }),
      importStatusText({ phase: "storing", fraction: 1, rows: 100_000 }),
    ]).toEqual([
      "Uploading the file… 23%",
      "Reading rows: 45,000 read… 72%",
      "Storing 100,000 rows… 95%",
      "Stored 100,000 rows. 100%",
    ]);
  });

  it("reports every row by its line, created or refused as written, quoting as CSV does", () => {
    const result: CsvImportResult = {
      message: "Block list updated successfully",
      created: [entry("number", "+14155552671"), entry("withheld", null)],
      failed: [
        { index: 7, entry: { match: "prefix", value: "+1" }, reason: "Prefix too broad" },
        { index: 3, entry: { value: "+1 555, ext" }, reason: "Invalid phone number format" },
      ],
      // The withheld row's note spans lines 4 and 5, so the next row starts on line 6.
      createdLines: [2, 4],
    };
    expect(importReportCsv(result)).toBe(
      [
        "line,result,reason,match,value",
        "2,created,,number,+14155552671",
        '3,failed,Invalid phone number format,,"+1 555, ext"',
        "4,created,,withheld,",
        "7,failed,Prefix too broad,prefix,+1",
        "",
      ].join("\n"),
    );
  });
});
