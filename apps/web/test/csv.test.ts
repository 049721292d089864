// CSV import and export of /api/block-list-entries (SPEC-ENTRIES, "CSV") and of the UI's session routes, over
// real HTTP against the built server: the round trip, every malformed file (a per-row reason or a 400 naming
// the problem, never a 500), 100,000 rows, the cost in the key's budget, and an upload cut off halfway.
import { request as httpRequest } from "node:http";
import { createTenant, type Tenant } from "@blocklist/api/testing";
import {
  CSV_EXPORT_COLUMNS,
  CsvProblem,
  ErrorMessage,
  MAX_BODY_BYTES,
  MAX_CSV_BODY_BYTES,
  MAX_CSV_ROWS,
  SUCCESS_MESSAGE,
} from "@blocklist/core";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { call, signIn } from "./http";
import { testNumber } from "./numbers";
import { serverForFile } from "./server";

const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

const ENTRIES = "/api/block-list-entries";
const UI_CSV = "/api/ui/entries.csv";
type List = { agentId: string } | { orgId: string };

const pathOf = (base: string, query: Record<string, string>) => `${base}?${new URLSearchParams(query)}`;
const agentList = (tenant: Tenant): List => ({ agentId: tenant.agentId });

interface Sent {
  status: number;
  headers: Headers;
  text: string;
}

async function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  const response = await fetch(new URL(path, server.url), { method, headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() } satisfies Sent;
}

/** A CSV file POSTed to a list; the answer must be JSON. */
async function importCsv(
  text: string,
  list: List = agentList(alice),
  { key = alice.apiKey, uid = alice.uid, contentType = "text/csv" } = {},
) {
  const sent = await send(
    "POST",
    pathOf(ENTRIES, { uid, ...list }),
    { "X-Authorization": key, "Content-Type": contentType },
    text,
  );
  expect(sent.headers.get("content-type"), sent.text).toMatch(/^application\/json/);
  return { status: sent.status, body: JSON.parse(sent.text) as unknown };
}

/** A list exported as CSV. */
async function exportCsv(
  list: List,
  filters: Record<string, string> = {},
  { key = alice.apiKey, uid = alice.uid } = {},
) {
  const sent = await send("GET", pathOf(ENTRIES, { uid, ...list, ...filters }), {
    "X-Authorization": key,
    Accept: "text/csv",
  });
  expect(sent.status, sent.text).toBe(200);
  return sent;
}

/**
 * A POST whose Content-Length announces `bytes` and whose body is never sent: the answer can only come before
 * the body is read (the 413 by Content-Length). Through node:http, which can leave a body unfinished.
 */
function announcedUpload(path: string, contentType: string, bytes: number) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = httpRequest(new URL(path, server.url), {
      method: "POST",
      headers: {
        "X-Authorization": alice.apiKey,
        "Content-Type": contentType,
        "Content-Length": String(bytes),
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        req.destroy();
      });
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

const records = (text: string): Record<string, string>[] => parse(text, { columns: true, bom: true });

async function entriesOf(list: List, tenant = alice) {
  const { status, body } = await call(
    server.url,
    "GET",
    pathOf(ENTRIES, { uid: tenant.uid, ...list, limit: "1000" }),
    { key: tenant.apiKey },
  );
  expect(status).toBe(200);
  return (body as { entries: Record<string, unknown>[] }).entries;
}

const badCsv = (line: number, message: CsvProblem) => ({
  status: 400,
  body: { error: ErrorMessage.invalidCsv, issues: [{ path: `line ${line}`, message }] },
});

/** What a created entry of the answer looks like, its server-made fields aside. */
const createdEntry = (list: List & { orgId?: string }, fields: Record<string, unknown>) => ({
  id: expect.stringMatching(/^ent_/),
  orgId: alice.orgId,
  agentId: "agentId" in list ? list.agentId : null,
  action: "block",
  direction: "inbound",
  reason: null,
  note: null,
  expiresAt: null,
  createdAt: expect.any(String),
  createdBy: { userId: alice.uid, keyPrefix: expect.any(String), via: "rest" },
  hits: 0,
  lastHitAt: null,
  ...fields,
});

describe("round trip", () => {
  it("export then import into another list keeps match, value, action, direction, reason, note and expiry", async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const entries = [
      { match: "number", value: "+14155552671", reason: "spam", note: 'says "hello", then\r\nhangs up' },
      { match: "prefix", value: "+1 900", reason: "fraud", direction: "both" },
      { match: "number", value: "+19002345678", action: "allow", note: "Partner, since 2020" },
      { match: "withheld", expiresAt },
      { match: "any", direction: "outbound", reason: "other", note: "  padded  " },
      { match: "number", value: "+442079460958", reason: "do_not_call" },
    ];
    const made = await call(server.url, "POST", ENTRIES, {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId: alice.agentId, entries },
    });
    expect(made.body).toMatchObject({ failed: [] });

    const file = await exportCsv(agentList(alice));
    expect(file.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(file.headers.get("content-disposition")).toBe(
      `attachment; filename="block-list-${alice.agentId}.csv"`,
    );
    expect(file.text.split("\n")[0]).toBe(CSV_EXPORT_COLUMNS.join(","));

    const imported = await importCsv(file.text, { orgId: alice.orgId });
    expect(imported).toMatchObject({ status: 200, body: { failed: [] } });
    const kept = (list: List) =>
      entriesOf(list).then((all) =>
        all.map(({ match, value, action, direction, reason, note, expiresAt }) => ({
          match,
          value,
          action,
          direction,
          reason,
          note,
          expiresAt,
        })),
      );
    const original = await kept(agentList(alice));
    expect(original).toHaveLength(entries.length);
    expect(await kept({ orgId: alice.orgId })).toEqual(original);
  });
});

describe("POST text/csv: each row answered as a JSON POST would, index the line it starts on", () => {
  it("reports each row once, in created or failed with its line and its named cells", async () => {
    const file = [
      "id,match,value,reason,note,hits",
      "x,number,+1 650 555 0100,spam,,9",
      'x,prefix,+1,,"a note',
      'over two lines",',
      "x,,not a number,,,",
      "x,number,+16505550100,,,",
      "",
      "x,withheld,+16505550101,,,",
      "x,number,+16505550102,sometimes,,",
      "x,prefix,+1 650 555,abuse,,",
    ].join("\r\n");
    expect(await importCsv(file)).toEqual({
      status: 200,
      body: {
        message: SUCCESS_MESSAGE,
        created: [
          createdEntry(agentList(alice), { match: "number", value: "+16505550100", reason: "spam" }),
          createdEntry(agentList(alice), { match: "prefix", value: "+1650555", reason: "abuse" }),
        ],
        failed: [
          {
            index: 3,
            entry: { match: "prefix", value: "+1", reason: "", note: "a note\r\nover two lines" },
            reason: "Prefix too broad",
          },
          {
            index: 5,
            entry: { match: "", value: "not a number", reason: "", note: "" },
            reason: "Invalid phone number format",
          },
          {
            index: 6,
            entry: { match: "number", value: "+16505550100", reason: "", note: "" },
            reason: "Duplicate entry in request",
          },
          {
            index: 8,
            entry: { match: "withheld", value: "+16505550101", reason: "", note: "" },
            reason: "Invalid entry",
          },
          {
            index: 9,
            entry: { match: "number", value: "+16505550102", reason: "sometimes", note: "" },
            reason: "Invalid entry",
          },
        ],
      },
    });
  });

  it("takes a one-column file of numbers, a BOM, CRLF, quoted commas and short rows", async () => {
    expect(await importCsv("+1 212 555 0100\n+1 (212) 555-0101\n\n+12125550100\n")).toEqual({
      status: 200,
      body: {
        message: SUCCESS_MESSAGE,
        created: [
          createdEntry(agentList(alice), { match: "number", value: "+12125550100" }),
          createdEntry(agentList(alice), { match: "number", value: "+12125550101" }),
        ],
        failed: [{ index: 4, entry: { value: "+12125550100" }, reason: "Duplicate entry in request" }],
      },
    });
    const file = '\ufeffValue,Note\r\n+12125550102,"one, two"\r\n+12125550103\r\n';
    expect(await importCsv(file)).toEqual({
      status: 200,
      body: {
        message: SUCCESS_MESSAGE,
        created: [
          createdEntry(agentList(alice), { match: "number", value: "+12125550102", note: "one, two" }),
          createdEntry(agentList(alice), { match: "number", value: "+12125550103" }),
        ],
        failed: [],
      },
    });
  });

  it("reads expires_at as the JSON POST's expiresAt: a past one is an Invalid expiry", async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const file = `value,expires_at\n+12125550110,${future}\n+12125550111,2020-01-01T00:00:00Z\n+12125550112,7d\n`;
    expect(await importCsv(file)).toEqual({
      status: 200,
      body: {
        message: SUCCESS_MESSAGE,
        created: [
          createdEntry(agentList(alice), { match: "number", value: "+12125550110", expiresAt: future }),
        ],
        failed: [
          {
            index: 3,
            entry: { value: "+12125550111", expires_at: "2020-01-01T00:00:00Z" },
            reason: "Invalid expiry",
          },
          { index: 4, entry: { value: "+12125550112", expires_at: "7d" }, reason: "Invalid expiry" },
        ],
      },
    });
  });
});

describe("POST text/csv: a file that cannot be read is a 400 naming the problem and its line", () => {
  it.each<[string, string, ReturnType<typeof badCsv>]>([
    [
      "a quote never closed",
      'value,note\n+12125550120,ok\n+12125550121,"open\nstill\n',
      badCsv(3, CsvProblem.quoteNotClosed),
    ],
    ["a quote inside a field", 'value\n+12125550122\n+1212"5550123\n', badCsv(3, CsvProblem.quoteInField)],
    ["text after a closing quote", 'value\n"+12125550124"x\n', badCsv(2, CsvProblem.textAfterQuote)],
    ["no header", "+12125550125,spam\n+12125550126,abuse\n", badCsv(1, CsvProblem.noValueColumn)],
    ["a header without value", "match,note\nnumber,x\n", badCsv(1, CsvProblem.noValueColumn)],
    ["an empty file", "", badCsv(1, CsvProblem.empty)],
    ["only empty lines", "\r\n\n", badCsv(1, CsvProblem.empty)],
    ["a header and no rows", "\ufeffvalue,note\r\n\r\n", badCsv(3, CsvProblem.noRows)],
  ])("%s", async (_, file, expected) => {
    expect(await importCsv(file)).toEqual(expected);
  });

  it(`more than ${MAX_CSV_ROWS} rows`, async () => {
    const rows = Array.from({ length: MAX_CSV_ROWS + 1 }, (_, i) => `+1212555${i % 10}`);
    expect(await importCsv(`value\n${rows.join("\n")}\n`)).toEqual(
      badCsv(MAX_CSV_ROWS + 2, CsvProblem.tooManyRows),
    );
  });

  it(`a body over ${MAX_CSV_BODY_BYTES} bytes is a 413 before it is read, JSON over 2 MiB still one`, async () => {
    const tooLarge = { status: 413, body: { error: ErrorMessage.bodyTooLarge } };
    const path = pathOf(ENTRIES, { uid: alice.uid, agentId: alice.agentId });
    expect(await announcedUpload(path, "text/csv", MAX_CSV_BODY_BYTES + 1)).toEqual(tooLarge);
    expect(await announcedUpload(ENTRIES, "application/json", MAX_BODY_BYTES + 1)).toEqual(tooLarge);
    // A file of exactly the limit is read: its rows are judged (here, one too many).
    const rows = Math.ceil(MAX_CSV_BODY_BYTES / 13);
    const file = `value\n${"+12125550130\n".repeat(rows)}`.slice(0, MAX_CSV_BODY_BYTES);
    expect(await importCsv(file)).toEqual(badCsv(MAX_CSV_ROWS + 2, CsvProblem.tooManyRows));
  });

  it.each(["text/plain", "application/vnd.ms-excel", "multipart/form-data; boundary=x"])(
    "a Content-Type of %s is a 415 naming both types",
    async (contentType) => {
      expect(await importCsv("value\n+12125550131\n", agentList(alice), { contentType })).toEqual({
        status: 415,
        body: { error: ErrorMessage.unsupportedEntriesMediaType },
      });
    },
  );

  it("the published route and PATCH still take JSON only", async () => {
    for (const [method, path] of [
      ["POST", "/api/agent-block-list"],
      ["PATCH", ENTRIES],
    ]) {
      const sent = await send(
        method as string,
        path as string,
        { "X-Authorization": alice.apiKey, "Content-Type": "text/csv" },
        "value\n",
      );
      expect({ status: sent.status, body: JSON.parse(sent.text) }).toEqual({
        status: 415,
        body: { error: ErrorMessage.unsupportedMediaType },
      });
    }
  });

  it("a list not named is a 400; a read-only key, another's list or a missing key a 401", async () => {
    const file = "value\n+12125550132\n";
    expect(await importCsv(file, { agentId: alice.agentId, orgId: alice.orgId })).toEqual({
      status: 400,
      body: {
        error: ErrorMessage.invalidQuery,
        issues: [{ path: "", message: "give exactly one of agentId and orgId" }],
      },
    });
    const forbidden = { status: 401, body: { error: ErrorMessage.insufficientPermissions } };
    expect(await importCsv(file, agentList(alice), { key: alice.readOnlyKey })).toEqual(forbidden);
    expect(await importCsv(file, agentList(bob))).toEqual(forbidden);
    expect(await importCsv(file, agentList(alice), { key: "" })).toEqual({
      status: 401,
      body: { error: ErrorMessage.invalidKey },
    });
  });
});

describe("100,000 rows", () => {
  it("imports a file of 100,000 rows in one go and exports them back in order, page after page", async () => {
    const carol = await createTenant(db, "carol");
    const numbers = Array.from({ length: MAX_CSV_ROWS }, (_, i) => testNumber(i));
    const started = performance.now();
    const imported = await importCsv(
      `match,value,reason\n${numbers.map((number) => `number,${number},spam`).join("\n")}\n`,
      agentList(carol),
      { key: carol.apiKey, uid: carol.uid },
    );
    const seconds = (performance.now() - started) / 1000;
    const body = imported.body as { created: { value: string }[]; failed: unknown[] };
    expect({ status: imported.status, created: body.created.length, failed: body.failed }).toEqual({
      status: 200,
      created: MAX_CSV_ROWS,
      failed: [],
    });
    const file = await exportCsv(agentList(carol), {}, { key: carol.apiKey, uid: carol.uid });
    // Oldest first: one insert stores a file's rows in key order.
    const exported = records(file.text).map((record) => record.value);
    expect(exported.length === numbers.length && exported.join() === [...numbers].sort().join()).toBe(true);
    console.info(`csv: imported ${MAX_CSV_ROWS} rows in ${seconds.toFixed(1)} s`);
  }, 300_000);
});

describe("GET Accept: text/csv", () => {
  it("applies the filters, ignores limit and cursor, and answers every entry", async () => {
    const file = await exportCsv(agentList(alice), { action: "allow", limit: "1" });
    expect(records(file.text).map(({ match, value, action }) => ({ match, value, action }))).toEqual([
      { match: "number", value: "+19002345678", action: "allow" },
    ]);
  });

  it("a read-only key exports; another's list is a 401 in JSON", async () => {
    expect((await exportCsv(agentList(alice), {}, { key: alice.readOnlyKey })).text).toContain(
      "+14155552671",
    );
    const sent = await send("GET", pathOf(ENTRIES, { uid: alice.uid, agentId: bob.agentId }), {
      "X-Authorization": alice.apiKey,
      Accept: "text/csv",
    });
    expect({ status: sent.status, body: JSON.parse(sent.text) }).toEqual({
      status: 401,
      body: { error: ErrorMessage.insufficientPermissions },
    });
  });
});

describe("rate limit", () => {
  it("costs like a POST of its rows: 1 + one unit per started hundred", async () => {
    const dave = await createTenant(db, "dave");
    const remaining = async (file: string) => {
      const sent = await send(
        "POST",
        pathOf(ENTRIES, { uid: dave.uid, agentId: dave.agentId }),
        { "X-Authorization": dave.apiKey, "Content-Type": "text/csv" },
        file,
      );
      return Number(sent.headers.get("ratelimit-remaining"));
    };
    const rows = Array.from({ length: 150 }, (_, i) => testNumber(i)).join("\n");
    const before = await remaining("value\n+12125550140\n");
    expect(before - (await remaining(`value\n${rows}\n`))).toBe(1 + 2);
  });
});

describe("an upload cut off halfway", () => {
  it("stores nothing, and the server goes on serving", async () => {
    const erin = await createTenant(db, "erin");
    const rows = Array.from({ length: 20_000 }, (_, i) => testNumber(i)).join("\n");
    const file = Buffer.from(`value\n${rows}\n`);
    await new Promise<void>((resolve) => {
      const req = httpRequest(
        new URL(pathOf(ENTRIES, { uid: erin.uid, agentId: erin.agentId }), server.url),
        {
          method: "POST",
          headers: {
            "X-Authorization": erin.apiKey,
            "Content-Type": "text/csv",
            "Content-Length": String(file.length),
          },
        },
      );
      req.on("error", () => resolve());
      req.write(file.subarray(0, file.length / 2), () => {
        req.destroy();
        resolve();
      });
    });
    const list = await call(server.url, "GET", pathOf(ENTRIES, { uid: erin.uid, agentId: erin.agentId }), {
      key: erin.apiKey,
    });
    expect({ status: list.status, body: list.body }).toEqual({
      status: 200,
      body: { entries: [], count: 0 },
    });
    // The cut request is logged once it is gone: as aborted, not as a failure (no 500, no error line).
    const abortedLine = () =>
      server
        .output()
        .split("\n")
        .find(
          (line) => line.includes('"aborted":true') && line.includes('"route":"/api/block-list-entries"'),
        );
    await expect.poll(abortedLine).toBeDefined();
    expect(JSON.parse(abortedLine() ?? "{}")).toMatchObject({ level: "info", method: "POST", aborted: true });
    expect(server.output()).not.toMatch(/"status":500|"level":"error"/);
  });
});

const { cookie } = await signIn(server.url, alice.apiKey);

describe("the UI's CSV routes, with the session cookie", () => {
  it("exports a list as a download, with the filters of entries.list", async () => {
    const sent = await send("GET", pathOf(UI_CSV, { agentId: alice.agentId, action: "allow" }), {
      Cookie: cookie,
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("content-disposition")).toBe(
      `attachment; filename="block-list-${alice.agentId}.csv"`,
    );
    expect(records(sent.text).map((record) => record.value)).toEqual(["+19002345678"]);
  });

  it("imports with progress events, then the POST's answer", async () => {
    const numbers = Array.from({ length: 2_500 }, (_, i) => testNumber(50_000 + i));
    const sent = await send(
      "POST",
      pathOf(UI_CSV, { orgId: alice.orgId }),
      { Cookie: cookie, "Content-Type": "text/csv", "Sec-Fetch-Site": "same-origin" },
      `value\n${numbers.join("\n")}\n`,
    );
    expect(sent.status).toBe(200);
    expect(sent.headers.get("content-type")).toBe("application/x-ndjson");
    const events = sent.text
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as {
            type: string;
            result?: { created: { value: string }[]; createdLines: number[] };
          },
      );
    const last = events.at(-1);
    expect(events.slice(0, -1)).toEqual([
      { type: "progress", phase: "reading", rows: 1000, fraction: expect.any(Number) },
      { type: "progress", phase: "reading", rows: 2000, fraction: expect.any(Number) },
      { type: "progress", phase: "storing", rows: 2500, fraction: 1 },
    ]);
    expect(last?.type).toBe("result");
    expect(last?.result?.created.map((entry) => entry.value)).toEqual(numbers);
    expect(last?.result?.created[0]).toMatchObject({ createdBy: { via: "ui" } });
    // The line of each created entry, for the UI's report (the header is line 1).
    expect(last?.result?.createdLines).toEqual(numbers.map((_, row) => row + 2));
  });

  it("gives the UI the line of each created entry, past a note over two lines and a refused row", async () => {
    const sent = await send(
      "POST",
      pathOf(UI_CSV, { orgId: alice.orgId }),
      { Cookie: cookie, "Content-Type": "text/csv", "Sec-Fetch-Site": "same-origin" },
      'value,note\n+1 646 555 0101,"first line\nsecond line"\n+1 555,\n+1 646 555 0102,\n',
    );
    const result = JSON.parse(sent.text.trim().split("\n").at(-1) ?? "null").result;
    expect({
      created: result.created.map((entry: { value: string }) => entry.value),
      createdLines: result.createdLines,
      failed: result.failed.map((failure: { index: number }) => failure.index),
    }).toEqual({ created: ["+16465550101", "+16465550102"], createdLines: [2, 5], failed: [4] });
  });

  it("answers a file it cannot read with an error event", async () => {
    const sent = await send(
      "POST",
      pathOf(UI_CSV, { agentId: alice.agentId }),
      { Cookie: cookie, "Content-Type": "text/csv" },
      'value\n"+1\n',
    );
    expect({
      status: sent.status,
      events: sent.text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    }).toEqual({
      status: 200,
      events: [
        {
          type: "error",
          status: 400,
          error: ErrorMessage.invalidCsv,
          issues: [{ path: "line 2", message: CsvProblem.quoteNotClosed }],
        },
      ],
    });
  });

  it("refuses no session (401), another site (403) and another type (415) before the body is read", async () => {
    const file = "value\n+12125550150\n";
    const path = pathOf(UI_CSV, { agentId: alice.agentId });
    const outcome = async (headers: Record<string, string>) => {
      const sent = await send("POST", path, { "Content-Type": "text/csv", ...headers }, file);
      return { status: sent.status, body: JSON.parse(sent.text) };
    };
    expect(await outcome({})).toEqual({ status: 401, body: { error: ErrorMessage.invalidKey } });
    expect(await outcome({ "X-Authorization": alice.apiKey })).toEqual({
      status: 401,
      body: { error: ErrorMessage.invalidKey },
    });
    expect(await outcome({ Cookie: cookie, "Sec-Fetch-Site": "cross-site" })).toEqual({
      status: 403,
      body: { error: ErrorMessage.crossSiteRequest },
    });
    expect(await outcome({ Cookie: cookie, "Content-Type": "application/json" })).toEqual({
      status: 415,
      body: { error: "Content-Type must be text/csv" },
    });
    const get = await send("GET", path, {});
    expect({ status: get.status, body: JSON.parse(get.text) }).toEqual({
      status: 401,
      body: { error: ErrorMessage.invalidKey },
    });
  });
});
