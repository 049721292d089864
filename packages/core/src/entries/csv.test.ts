import { describe, expect, it } from "vitest";
import {
  CSV_EXPORT_COLUMNS,
  CsvLineCounter,
  CsvProblem,
  csvExportRowOf,
  csvLayoutOf,
  csvRowOf,
  type Entry,
  EntryPlanner,
  planEntries,
} from ".";

const header = (...names: string[]) => {
  const layout = csvLayoutOf(names);
  if (typeof layout === "string") throw new Error(layout);
  return layout;
};

describe("csvLayoutOf", () => {
  it("maps the columns it reads, in any case and padded, and ignores the others", () => {
    expect(csvLayoutOf(["id", " Value ", "MATCH", "hits", "expires_at", "value"])).toEqual({
      kind: "header",
      columns: new Map([
        ["value", 1],
        ["match", 2],
        ["expires_at", 4],
      ]),
    });
  });

  it.each([["+1 (415) 555-2671"], ["4155552671"], [" +44 20 7946 0958 "]])(
    "takes a one-column file whose first line is the number %j for a list of numbers",
    (cell) => {
      expect(csvLayoutOf([cell])).toEqual({ kind: "numbers" });
    },
  );

  it.each([[["match", "note"]], [["+14155552671", "spam"]], [["number"]], [[""]]])(
    "refuses %j: no value column",
    (record) => {
      expect(csvLayoutOf(record)).toBe(CsvProblem.noValueColumn);
    },
  );
});

describe("csvRowOf", () => {
  it("is the entry input a POST would send: empty cells not given, cells trimmed but a note", () => {
    const layout = header("match", "value", "action", "direction", "reason", "note", "expires_at", "id");
    expect(
      csvRowOf(
        layout,
        ["prefix", " +1 900 ", "", "both", "spam", " as written ", "2027-01-01T00:00:00.000Z", "ent_x"],
        3,
      ),
    ).toEqual({
      line: 3,
      entry: {
        match: "prefix",
        value: " +1 900 ",
        action: "",
        direction: "both",
        reason: "spam",
        note: " as written ",
        expires_at: "2027-01-01T00:00:00.000Z",
      },
      input: {
        match: "prefix",
        value: "+1 900",
        direction: "both",
        reason: "spam",
        note: " as written ",
        expiresAt: "2027-01-01T00:00:00.000Z",
      },
    });
  });

  it("defaults match to number, and a missing cell is an empty one", () => {
    expect(csvRowOf(header("value", "match", "note"), ["+14155552671"], 2)).toEqual({
      line: 2,
      entry: { value: "+14155552671", match: "", note: "" },
      input: { value: "+14155552671", match: "number" },
    });
  });

  it("reads a list of numbers", () => {
    expect(csvRowOf({ kind: "numbers" }, ["+1 415 555 2671"], 1)).toEqual({
      line: 1,
      entry: { value: "+1 415 555 2671" },
      input: { value: "+1 415 555 2671", match: "number" },
    });
  });
});

describe("CsvLineCounter", () => {
  const counter = (text: string) => new CsvLineCounter(new TextEncoder().encode(text));

  it("counts CRLF, LF and a lone CR as one line end each, and a record's line breaks as its lines", () => {
    // Records as csv-parse ends them: after their line end (and after the empty lines before them).
    const text = 'value,note\r\n+1,"a\r\nb"\r\n\r\n\n+2,c\n+3,"x\ny\rz"\n+4';
    const ends = [12, 23, 31, 42, text.length];
    const lines = counter(text);
    expect(ends.map((end) => lines.startOf(end))).toEqual([1, 2, 6, 7, 10]);
  });

  it("names the line of the next record, past empty lines", () => {
    const lines = counter("value\n\n\r\n+1");
    expect(lines.startOf(6)).toBe(1);
    expect(lines.next).toBe(4);
  });

  it("starts at line 1 after a BOM", () => {
    expect(counter("\ufeffvalue\n").next).toBe(1);
  });
});

describe("csvExportRowOf", () => {
  it("is an entry in the export's columns, null as an empty cell", () => {
    const entry: Entry = {
      id: "ent_1",
      orgId: "org_1",
      agentId: null,
      match: "withheld",
      value: null,
      action: "allow",
      direction: "both",
      reason: null,
      note: 'say "hi", twice\nplease',
      expiresAt: "2027-01-01T00:00:00.000Z",
      createdAt: "2026-12-01T00:00:00.000Z",
      createdBy: null,
      hits: 3,
      lastHitAt: null,
    };
    expect(Object.fromEntries(CSV_EXPORT_COLUMNS.map((name, i) => [name, csvExportRowOf(entry)[i]]))).toEqual(
      {
        id: "ent_1",
        match: "withheld",
        value: "",
        action: "allow",
        direction: "both",
        reason: "",
        note: 'say "hi", twice\nplease',
        expires_at: "2027-01-01T00:00:00.000Z",
        created_at: "2026-12-01T00:00:00.000Z",
        hits: "3",
        last_hit_at: "",
      },
    );
  });
});

describe("EntryPlanner", () => {
  it("plans as planEntries does, reporting the index and the row as given", () => {
    const now = new Date("2026-12-01T12:00:00.000Z");
    const inputs = [
      { match: "number", value: "+14155552671" },
      { match: "prefix", value: "+1" },
      { match: "number", value: "+1 415 555 2671" },
    ];
    const planner = new EntryPlanner(now);
    inputs.forEach((input, i) => {
      planner.add(input, i + 2, { row: i });
    });
    const expected = planEntries(inputs, now);
    expect(planner.plan).toEqual({
      distinct: expected.distinct,
      planned: expected.planned.map((planned, i) => ({ ...planned, index: i + 2, input: { row: i } })),
    });
  });
});
