import { CSV_EXPORT_COLUMNS, csvExportRowOf, type EntryList, type NewEntry } from "@blocklist/core";
import { parse } from "csv-parse/sync";
import { expect, test } from "vitest";
import { poolOf } from "./client";
import { insertEntries, selectEntries } from "./entries";
import { type EntryCsvPage, selectEntryCsvPage } from "./entryCsvRows";
import { testDatabaseForFile } from "./testing";

const { prisma: db } = await testDatabaseForFile();

await db.$executeRawUnsafe(`
  INSERT INTO users (id, name) VALUES ('usr_1', 'Ada');
  INSERT INTO organizations (id, name) VALUES ('org_1', 'Acme');
  INSERT INTO agents (id, organization_id, name) VALUES ('agt_1', 'org_1', 'Front');
  INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_1', 'usr_1', '\\x01', 'bl_4jVx');`);

const list: EntryList = { orgId: "org_1", agentId: "agt_1" };
const base: NewEntry = {
  match: "number",
  value: null,
  action: "block",
  direction: "inbound",
  reason: null,
  note: null,
  expiresAt: null,
};

test("export rows are the entries as csvExportRowOf writes them, page after page, with the filters", async () => {
  await insertEntries(
    db,
    list,
    [
      { ...base, value: "+14155552671", reason: "spam", note: 'a "quoted", note\r\nover lines' },
      { ...base, match: "prefix", value: "+1900", action: "allow", direction: "both" },
      { ...base, match: "withheld", expiresAt: new Date("2030-01-02T03:04:05.678Z") },
      { ...base, match: "any", direction: "outbound", reason: "other" },
    ],
    { keyId: "key_1", via: "rest" },
  );
  // Hits and a last hit with microseconds, as a flush would write them: shown to the millisecond, like JSON.
  await poolOf(db).query(
    "UPDATE entries SET hits = 7, last_hit_at = '2026-12-01T10:11:12.345678Z' WHERE match = 'prefix'",
  );
  const entries = (await selectEntries(db, list, {}, { limit: 10 })).entries;
  const rowsOf = (page: EntryCsvPage): string[][] => parse(page.csv, { relax_column_count: false });
  const first = await selectEntryCsvPage(db, list, {}, { limit: 3, header: true });
  const rest = await selectEntryCsvPage(db, list, {}, { afterSeq: first.lastSeq, limit: 3, header: false });
  const [header, ...firstRows] = rowsOf(first);
  expect(header).toEqual([...CSV_EXPORT_COLUMNS]);
  expect([...firstRows, ...rowsOf(rest)]).toEqual(entries.map(csvExportRowOf));
  expect([first.rows, rest.rows]).toEqual([3, 1]);
  const allowed = await selectEntryCsvPage(db, list, { action: "allow" }, { limit: 10, header: false });
  expect(rowsOf(allowed)).toEqual(entries.filter((entry) => entry.action === "allow").map(csvExportRowOf));
  expect(await selectEntryCsvPage(db, list, {}, { afterSeq: rest.lastSeq, limit: 3, header: false })).toEqual(
    {
      csv: Buffer.alloc(0),
      rows: 0,
      lastSeq: undefined,
    },
  );
  // A list with nothing to export is its header alone.
  const none = await selectEntryCsvPage(db, list, { reason: "fraud" }, { limit: 3, header: true });
  expect([none.csv.toString(), none.rows]).toEqual([`${CSV_EXPORT_COLUMNS.join(",")}\n`, 0]);
});
