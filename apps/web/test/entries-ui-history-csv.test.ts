import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  nextConfirm,
  openWatchedBrowser,
  seriousAccessibilityViolations,
  type WatchedBrowser,
} from "./browser";
import { cliJson } from "./cli";
import { call } from "./http";
import { serverForFile } from "./server";

// The history view and CSV import/export of the entries UI (issue 15) in a real headless Chromium against the
// built app and a real PostgreSQL: the events of changes made in the UI and through REST, with who and through
// what, paged; a 100,000-row import whose progress bar moves before its report; an export with a filter.
const { databaseUrl, server } = await serverForFile();
const env = { DATABASE_URL: databaseUrl };

let profileDir: string;
let browser: WatchedBrowser;
let page: Page;
let user: Record<string, string>;
const agents: Record<string, string> = {};

beforeAll(async () => {
  profileDir = await mkdtemp(join(tmpdir(), "blocklist-history-csv-ui-"));
  user = await cliJson(env, "user", "create", "--name", "Acme");
  for (const name of ["Sales line", "Import line"]) {
    agents[name] = (await cliJson(env, "agent", "create", "--uid", user.uid as string, "--name", name))
      .agentId as string;
  }
  browser = await openWatchedBrowser(profileDir);
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.context.close();
  await rm(profileDir, { recursive: true, force: true });
});

const visible = (locator: Locator) => locator.waitFor({ state: "visible" });
const keyPrefix = () => `${String(user.apiKey).slice(0, 9)}…`;
const noSeriousViolations = async () => expect(await seriousAccessibilityViolations(page)).toEqual([]);

/** Each history row as its cells' text, the relative time first. */
const historyRows = () =>
  page
    .getByRole("table", { name: "History" })
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (cell) => cell.textContent)),
    );
/** The rows without their time, which moves on ("now", "1 minute ago"). */
const historyRowsUntimed = async () => (await historyRows()).map((cells) => cells.slice(1));

async function rest(method: string, body: unknown) {
  const answer = await call(server.url, method, "/api/block-list-entries", { key: user.apiKey, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { created: { id: string }[] };
}

describe("history in the UI", () => {
  it("signs in on the first agent's page", async () => {
    await page.goto(server.url);
    await page.getByLabel("API key").fill(user.apiKey as string);
    await page.getByLabel("API key").press("Enter");
    await visible(page.getByRole("heading", { name: "Sales line", level: 2 }));
  });

  it("shows the events of changes made in the UI and through REST, newest first, with who and through what", async () => {
    await page.getByRole("radio", { name: "Numbers" }).check();
    await page.locator("#values-to-add").fill("+1 415 555 2671");
    await page.locator("#add-reason").selectOption({ label: "Spam" });
    await page.getByRole("button", { name: "Block 1 number" }).click();
    await visible(page.getByText("Added 1 entry."));
    await page.getByRole("button", { name: "Change +1 415 555 2671" }).click();
    const editForm = page.getByRole("form", { name: "Change +1 415 555 2671" });
    await editForm.getByLabel("Note").fill("Robocalls");
    await editForm.getByLabel("Note").press("Enter");
    await visible(page.getByRole("cell", { name: "Robocalls" }));
    const confirmed = nextConfirm(page, "accept");
    await page.getByRole("button", { name: "Remove +1 415 555 2671" }).click();
    await confirmed;
    await visible(page.getByText("Removed 1 entry."));
    await rest("POST", {
      uid: user.uid,
      agentId: agents["Sales line"],
      entries: [{ match: "prefix", value: "+1 900", action: "allow", note: "Partners", expiresIn: "7d" }],
    });

    await page.getByRole("tab", { name: "History" }).click();
    await visible(page.getByRole("heading", { name: "History", exact: true }));
    const me = keyPrefix();
    await expect.poll(historyRowsUntimed).toEqual([
      ["Created", "+1 900…", "Allow", "—", "Partners", "in 7 days", me, "REST API"],
      ["Removed", "+1 415 555 2671 United States", "Block", "Spam", "Robocalls", "Never", me, "Web UI"],
      ["Changed", "+1 415 555 2671 United States", "Block", "Spam", "Robocalls", "Never", me, "Web UI"],
      ["Created", "+1 415 555 2671 United States", "Block", "Spam", "—", "Never", me, "Web UI"],
    ]);
    // Each time is relative, with the exact instant on hover and focus, as in the list.
    expect((await historyRows()).map((cells) => cells[0])).toEqual(
      Array.from({ length: 4 }, () => expect.stringMatching(/^(now|\d+ seconds? ago|1 minute ago)$/)),
    );
    expect(await page.locator("table[aria-label=History] time").first().getAttribute("title")).toMatch(
      /UTC|GMT/,
    );
    await noSeriousViolations();
  });

  it("moves between the tabs by keyboard", async () => {
    await page.getByRole("tab", { name: "History" }).focus();
    await page.keyboard.press("ArrowLeft");
    await visible(page.getByRole("heading", { name: "Entries", exact: true }));
    expect(await page.getByRole("tab", { name: "Entries" }).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("End");
    await visible(page.getByRole("heading", { name: "History", exact: true }));
  });

  it("pages through the history on the server's cursor, newest first", async () => {
    const values = Array.from({ length: 60 }, (_, i) => `+1212200${String(1000 + i)}`);
    const stored = await rest("POST", {
      uid: user.uid,
      agentId: agents["Sales line"],
      entries: values.map((value) => ({ match: "number", value })),
    });
    expect(stored.created.length).toBe(60);
    // The view asks again when it is opened.
    await page.getByRole("tab", { name: "Entries" }).click();
    await page.getByRole("tab", { name: "History" }).click();
    const firstColumn = async () => (await historyRowsUntimed()).map((cells) => cells[1]);
    const shown = (from: number, to: number) =>
      values
        .slice(from, to)
        .reverse()
        .map((value) => `+1 212 200 ${value.slice(-4)} United States`);
    await expect.poll(firstColumn).toEqual(shown(10, 60));
    await visible(page.getByText("Page 1", { exact: true }));
    await page.getByRole("button", { name: "Next" }).click();
    await expect
      .poll(firstColumn)
      .toEqual(
        [...shown(0, 10), "+1 900…", "+1 415 555 2671", "+1 415 555 2671", "+1 415 555 2671"].map((text) =>
          text.startsWith("+1 415") ? `${text} United States` : text,
        ),
      );
    await visible(page.getByText("Page 2", { exact: true }));
    expect(await page.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(firstColumn).toEqual(shown(10, 60));
    await noSeriousViolations();
  });
});

describe("CSV in the UI", () => {
  const ROWS = 100_000;
  // Two rows the service refuses, at known lines (the header is line 1).
  const REFUSED: Record<number, string> = { 10: "number,+1 555", 500: "prefix,+1" };
  const numberOfRow = (i: number) => `+1212${3_000_000 + i}`;
  let csvFile: string;

  beforeAll(async () => {
    const lines = ["match,value,reason,note"];
    for (let i = 0; i < ROWS; i += 1) lines.push(REFUSED[i] ?? `number,${numberOfRow(i)},spam,`);
    csvFile = join(profileDir, "bulk.csv");
    await writeFile(csvFile, `${lines.join("\n")}\n`);
  });

  it("imports a 100,000-row file with a progress bar that moves before the report, then every row's result by line", async () => {
    await page.getByRole("link", { name: "Import line" }).click();
    await visible(page.getByRole("heading", { name: "Import line", level: 2 }));
    await page.getByLabel("CSV file to import into the list of Import line").setInputFiles(csvFile);
    // Every state of the bar and its spoken status while the import runs, as the page renders them.
    await page.evaluate(() => {
      const seen: { value: number; max: number; status: string }[] = [];
      (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>("#csv-progress");
        const status = document.querySelector("#csv-progress-status")?.textContent ?? "";
        const last = seen.at(-1);
        if (bar && (last?.value !== bar.value || last.status !== status)) {
          seen.push({ value: bar.value, max: bar.max, status });
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.getByRole("button", { name: "Import", exact: true }).click();
    // 100,000 rows take a while on a small shared machine.
    await page
      .getByText("Imported bulk.csv: created 99,998 entries, 2 rows failed.")
      .waitFor({ state: "visible", timeout: 240_000 });
    const seen = await page.evaluate(
      () =>
        (window as unknown as { progressSeen: { value: number; max: number; status: string }[] })
          .progressSeen,
    );
    // Recorded for the report: the distinct values the bar showed, in order.
    console.info(`progress seen: ${[...new Set(seen.map(({ value }) => value))].join(", ")} of 100`);
    const belowMax = new Set(seen.filter(({ value, max }) => value < max).map(({ value }) => value));
    expect(belowMax.size).toBeGreaterThanOrEqual(2);
    expect(seen.every(({ max }) => max === 100)).toBe(true);
    // The spoken status names the phases it went through.
    expect(seen.some(({ status }) => status.startsWith("Reading rows: "))).toBe(true);
    // The bar only moves forward.
    expect(seen.map(({ value }) => value)).toEqual([...seen.map(({ value }) => value)].sort((a, b) => a - b));

    expect(
      await page
        .getByRole("table", { name: "Rows not imported" })
        .locator("tbody tr")
        .evaluateAll((trs) =>
          trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => c.textContent)),
        ),
    ).toEqual([
      ["12", "+1 555", "Invalid phone number format"],
      ["502", "+1", "Prefix too broad"],
    ]);
    await expect.poll(() => page.locator(".count").textContent()).toBe("99,998 entries");
    await noSeriousViolations();

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download the report (CSV)" }).click();
    const report = await download;
    expect(report.suggestedFilename()).toBe("bulk-import-report.csv");
    const lines = (await readFile(String(await report.path()), "utf8")).split("\n");
    // Every row by its line: row i starts on line i + 2 (the header is line 1).
    expect({ first: lines.slice(0, 3), refused: [lines[11], lines[501]], count: lines.length }).toEqual({
      first: [
        "line,result,reason,match,value",
        `2,created,,number,${numberOfRow(0)}`,
        `3,created,,number,${numberOfRow(1)}`,
      ],
      refused: [
        "12,failed,Invalid phone number format,number,+1 555",
        "502,failed,Prefix too broad,prefix,+1",
      ],
      // The header, each of the 100,000 rows, and the empty string after the last line end.
      count: ROWS + 2,
    });
  }, 300_000);

  it("exports exactly the filtered entries as a CSV download", async () => {
    await page.getByLabel("Search by digits").fill("121230000");
    await expect.poll(() => page.locator(".count").textContent()).toBe("99 of 99,998 entries match");
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV (filtered)" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`block-list-${agents["Import line"]}.csv`);
    const [header, ...records] = parse(await readFile(String(await file.path()), "utf8")) as string[][];
    expect(header).toEqual([
      "id",
      "match",
      "value",
      "action",
      "direction",
      "reason",
      "note",
      "expires_at",
      "created_at",
      "hits",
      "last_hit_at",
    ]);
    const expected = Array.from({ length: 100 }, (_, i) => i)
      .filter((i) => REFUSED[i] === undefined)
      .map(numberOfRow);
    expect(records.map((record) => record.slice(1, 7))).toEqual(
      expected.map((value) => ["number", value, "block", "inbound", "spam", ""]),
    );
    await noSeriousViolations();
  });
});

describe("the page as a whole", () => {
  it("logs no console error and has no request fail", () => {
    expect({ csp: browser.cspViolations, problems: browser.problems }).toEqual({ csp: [], problems: [] });
  });
});
