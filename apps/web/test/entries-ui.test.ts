import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayInSentence, exactTime } from "../src/entries/time";
import {
  nextConfirm,
  openWatchedBrowser,
  seriousAccessibilityViolations,
  takeProblems,
  type WatchedBrowser,
} from "./browser";
import { cliJson } from "./cli";
import { serverForFile } from "./server";

// The entries UI (issue 15) in a real headless Chromium against the built app and a real PostgreSQL: the agent's
// page and the organization's, adding every kind of entry, changing and removing them, "Check a number" in
// words, a read-only session, paging 100,000 entries, and axe-core on every page.
const { db, databaseUrl, server } = await serverForFile();
const env = { DATABASE_URL: databaseUrl };
// docs/ui.png changes with every run (keys are random), so it is rewritten only on request.
const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/ui.png");
const updateScreenshot = process.env.UPDATE_SCREENSHOT === "1";
const BULK_SIZE = 100_000;
// The outbound check of "Check a number" decided by the do-not-call entry counts its hit (written within a second).
const RECENTLY = expect.stringMatching(/^(now|\d+ seconds? ago|\d+ minutes? ago)$/);

let profileDir: string;
let browser: WatchedBrowser;
let page: Page;
let user: Record<string, string>;
let readOnlyKey: string;
const agents: Record<string, string> = {};
const today = () => dayInSentence(new Date(), new Date());

beforeAll(async () => {
  profileDir = await mkdtemp(join(tmpdir(), "blocklist-entries-ui-"));
  user = await cliJson(env, "user", "create", "--name", "Acme");
  for (const name of ["Sales line", "Bulk line"]) {
    agents[name] = (await cliJson(env, "agent", "create", "--uid", user.uid as string, "--name", name))
      .agentId as string;
  }
  readOnlyKey = (await cliJson(env, "key", "create", "--uid", user.uid as string, "--read-only"))
    .apiKey as string;
  // 100,000 entries in one statement, with a hit now and then, so that paging meets a list of real size.
  await db.$executeRawUnsafe(
    `INSERT INTO entries (org_id, agent_id, value, created_via, hits, last_hit_at)
     SELECT $1, $2, '+1212' || (2000000 + i), 'cli', i % 7, CASE WHEN i % 7 = 0 THEN NULL ELSE now() - interval '2 hours' END
     FROM generate_series(0, ${BULK_SIZE - 1}) i`,
    user.orgId,
    agents["Bulk line"],
  );
  browser = await openWatchedBrowser(profileDir);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.context.close();
  await rm(profileDir, { recursive: true, force: true });
});

// --- reading the page --------------------------------------------------------------------------------

/** Each entry row as its cells' text: matches, action, direction, reason, note, expires, hits, last hit. */
const rows = () =>
  page
    .locator('table[aria-label="Entries"] tbody tr:not(.edit-row)')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll("td:not(.select-cell):not(.action-cell)"), (cell) => cell.textContent),
      ),
    );
const countLine = () => page.locator(".count").textContent();
const failureRows = () =>
  page
    .getByRole("table", { name: /^Not added/ })
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (cell) => cell.textContent)),
    );
const verdict = () => page.locator(".verdict-sentence").textContent();
const visible = (locator: Locator) => locator.waitFor({ state: "visible" });
const keyPrefix = () => `${String(user.apiKey).slice(0, 9)}…`;

async function noSeriousViolations() {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
}

async function addValues(kind: string, text: string | undefined, options: Record<string, string> = {}) {
  await page.getByRole("radio", { name: kind }).check();
  if (text !== undefined) await page.locator("#values-to-add").fill(text);
  if (options.action) await page.getByRole("radio", { name: options.action }).check();
  if (options.reason) await page.locator("#add-reason").selectOption({ label: options.reason });
  if (options.note !== undefined) await page.locator("#add-note").fill(options.note);
  if (options.expiry) await page.locator("#add-expiry").selectOption({ label: options.expiry });
  if (options.date) await page.getByLabel("Expiry date and time").fill(options.date);
  await page
    .locator("#add-title")
    .locator("..")
    .getByRole("button", { name: /^(Block|Allow)/ })
    .click();
}

async function checkNumber(number: string, call: "inbound" | "outbound" = "inbound") {
  await page.locator("#check-direction").selectOption(call);
  await page.getByLabel("Number", { exact: true }).fill(number);
  await page.getByLabel("Number", { exact: true }).press("Enter");
}

// --- the journey ---------------------------------------------------------------------------------------

describe("the entries UI in Chromium", () => {
  it("has no serious accessibility violation on the sign-in page", async () => {
    await page.goto(server.url);
    await visible(page.getByRole("heading", { name: "Sign in" }));
    await noSeriousViolations();
  });

  it("opens the first agent's page, which says that the organization's list applies too", async () => {
    await page.getByLabel("API key").fill(user.apiKey as string);
    await page.getByLabel("API key").press("Enter");
    await visible(page.getByRole("heading", { name: "Sales line", level: 2 }));
    expect(new URL(page.url()).pathname).toBe(`/agents/${agents["Sales line"]}`);
    await expect.poll(() => page.title()).toBe("Sales line · Agent block list");
    await expect
      .poll(() => page.locator(".org-note").textContent())
      .toBe("Acme's own list applies to this agent too (0 entries): Every agent of Acme.");
    await visible(page.getByText("This list has no entries yet."));
    await noSeriousViolations();
  });

  it("adds pasted numbers and shows each failure with its reason next to the input as typed", async () => {
    await addValues(
      "Numbers",
      "+1 415 555 2671\n+44 20 7946 0958, 4155552671; +1 (415) 555-2671\n+1234567890",
    );
    await visible(page.getByText("Added 2 entries. 3 inputs were not added."));
    expect(await failureRows()).toEqual([
      ["4155552671", "Invalid phone number format"],
      ["+1 (415) 555-2671", "Duplicate entry in request"],
      ["+1234567890", "Invalid phone number format"],
    ]);
    // The failures describe the box they are about.
    expect(await page.locator("#values-to-add").getAttribute("aria-describedby")).toBe(
      "values-hint add-failures",
    );
    await noSeriousViolations();
    await expect.poll(rows).toEqual([
      ["+1 415 555 2671 United States", "Block", "Inbound", "—", "—", "Never", "0", "Never"],
      ["+44 20 7946 0958 United Kingdom", "Block", "Inbound", "—", "—", "Never", "0", "Never"],
    ]);
    expect(await countLine()).toBe("2 entries");
  });

  it("adds to the organization's own page: prefixes, withheld callers with an expiry, and says why one fails", async () => {
    await page.getByRole("link", { name: "Every agent of Acme" }).first().click();
    await visible(page.getByRole("heading", { name: "Every agent of Acme", level: 2 }));
    await expect.poll(() => page.title()).toBe("Every agent of Acme · Agent block list");
    await addValues("Prefixes", "+1 900\n+1\n+44 7", { reason: "Spam" });
    await visible(page.getByText("Added 1 entry. 2 inputs were not added."));
    expect(await failureRows()).toEqual([
      ["+1", "Prefix too broad"],
      ["+44 7", "Prefix too broad"],
    ]);

    await addValues("Withheld caller ID", undefined, { reason: "None", expiry: "In 12 hours" });
    await visible(page.getByText("Added 1 entry."));
    await expect.poll(rows).toEqual([
      ["+1 900…", "Block", "Inbound", "Spam", "—", "Never", "0", "Never"],
      ["Withheld caller ID", "Block", "Inbound", "—", "—", "in 12 hours", "0", "Never"],
    ]);
    // The exact time on hover (title) and on focus (the same text, shown by CSS).
    const expires = page.locator("time").first();
    const [title, dateTime] = [await expires.getAttribute("title"), await expires.getAttribute("datetime")];
    expect(title).toBe(exactTime(new Date(String(dateTime))));
    await expires.focus();
    expect(await expires.evaluate((time) => getComputedStyle(time, "::after").content)).toBe(`"${title}"`);

    await addValues("Every caller", undefined, { expiry: "On a date…", date: "2020-01-01T10:00" });
    await visible(page.getByText("Invalid expiry: choose a time in the future, at most 10 years ahead."));
    expect(await page.locator("#add-expiry").getAttribute("aria-describedby")).toBe("add-expiry-error");
    expect(await page.getByRole("table", { name: /^Not added/ }).count()).toBe(0);
    await noSeriousViolations();
  });

  it("adds allow and outbound entries, direction following the reason unless chosen", async () => {
    await page.getByRole("link", { name: "Sales line" }).click();
    await visible(page.getByRole("heading", { name: "Sales line", level: 2 }));
    await expect.poll(() => page.locator(".org-note").textContent()).toContain("(2 entries)");
    await addValues("Numbers", "+1 900 234 5678", { action: "Allow", note: "Partner", expiry: "Never" });
    await visible(page.getByText("Added 1 entry."));
    await page.getByRole("radio", { name: "Block" }).check();
    await page.locator("#add-reason").selectOption({ label: "Do not call" });
    expect(await page.locator("#add-direction").inputValue()).toBe("outbound");
    await addValues("Numbers", "+1 415 555 2671", { note: "" });
    await visible(page.getByText("Added 1 entry."));
    await expect.poll(rows).toEqual([
      ["+1 415 555 2671 United States", "Block", "Inbound", "—", "—", "Never", "0", "Never"],
      ["+44 20 7946 0958 United Kingdom", "Block", "Inbound", "—", "—", "Never", "0", "Never"],
      ["+1 900 234 5678 United States", "Allow", "Inbound", "—", "Partner", "Never", "0", "Never"],
      ["+1 415 555 2671 United States", "Block", "Outbound", "Do not call", "—", "Never", "0", "Never"],
    ]);
  });

  it("filters by kind, action, direction, reason and digits", async () => {
    await page.locator("#filter-action").selectOption({ label: "Allow" });
    await expect
      .poll(rows)
      .toEqual([
        ["+1 900 234 5678 United States", "Allow", "Inbound", "—", "Partner", "Never", "0", "Never"],
      ]);
    await expect.poll(countLine).toBe("1 of 4 entries match");
    await page.locator("#filter-action").selectOption({ label: "All" });
    await page.locator("#filter-direction").selectOption({ label: "Outbound" });
    await expect.poll(countLine).toBe("1 of 4 entries match");
    await page.locator("#filter-direction").selectOption({ label: "All" });
    await page.locator("#filter-reason").selectOption({ label: "Do not call" });
    await expect
      .poll(rows)
      .toEqual([
        ["+1 415 555 2671 United States", "Block", "Outbound", "Do not call", "—", "Never", "0", "Never"],
      ]);
    await page.locator("#filter-reason").selectOption({ label: "All" });
    await page.getByLabel("Search by digits").pressSequentially("(415)");
    await expect.poll(countLine).toBe("2 of 4 entries match");
    await page.locator("#filter-match").selectOption({ label: "Prefix" });
    await visible(page.getByText("No entry matches these filters."));
    await page.locator("#filter-match").selectOption({ label: "All" });
    await page.getByLabel("Search by digits").fill("");
    await expect.poll(countLine).toBe("4 entries");
  });

  it("changes a note, a reason and an expiry in place, by keyboard, and says why a change is refused", async () => {
    const change = page.getByRole("button", { name: "Change +44 20 7946 0958" });
    await change.focus();
    await page.keyboard.press("Enter");
    // The form opens right under the entry, focus on its first field.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toMatch(/-reason$/);
    const editForm = page.getByRole("form", { name: "Change +44 20 7946 0958" });
    await page.locator(":focus").selectOption({ label: "Abuse" });
    await page.keyboard.press("Tab");
    await page.keyboard.type("Called 40 times");
    await editForm.getByLabel("Expires").selectOption({ label: "In 7 days" });
    await editForm.getByLabel("Note").press("Enter");
    await expect
      .poll(async () => (await rows())[1])
      .toEqual([
        "+44 20 7946 0958 United Kingdom",
        "Block",
        "Inbound",
        "Abuse",
        "Called 40 times",
        "in 7 days",
        "0",
        "Never",
      ]);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Change +44 20 7946 0958");

    await change.click();
    await editForm.getByLabel("Expires").selectOption({ label: "On a date…" });
    await editForm.getByLabel("Expiry date and time").fill("2020-01-01T10:00");
    await page.getByRole("button", { name: "Save" }).click();
    await visible(
      page.getByText(
        "expiresAt must be an ISO 8601 instant with a time zone, in the future, at most 10 years ahead",
      ),
    );
    await noSeriousViolations();
    await takeProblems(browser.problems, [
      "400: POST /api/trpc/entries.update",
      "console error: Failed to load resource: the server responded with a status of 400 (Bad Request) (/api/trpc/entries.update)",
    ]);
    await editForm.getByLabel("Expiry date and time").press("Escape");
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(0);
    expect((await rows())[1]?.[5]).toBe("in 7 days");
  });

  it("checks a number and says which entry decided, and why, in words", async () => {
    await checkNumber("+1 900 555 0100");
    await expect
      .poll(verdict)
      .toBe(`Blocked by Acme's prefix +1 900… — spam, added by ${keyPrefix()} on ${today()}.`);
    await checkNumber("+1 900 234 5678");
    await expect
      .poll(verdict)
      .toBe(
        `Allowed by this agent's allow entry for +1 900 234 5678 — added by ${keyPrefix()} on ${today()}.`,
      );
    await visible(page.getByText("Note: Partner"));
    await checkNumber("+1 415 555 2671", "outbound");
    await expect
      .poll(verdict)
      .toBe(
        `This agent may not call this number (do not call, since ${today()}) — this agent's entry for +1 415 555 2671, added by ${keyPrefix()}.`,
      );
    await checkNumber("anonymous");
    await expect
      .poll(verdict)
      .toBe(`Blocked by Acme's entry for withheld caller ID — added by ${keyPrefix()} on ${today()}.`);
    await visible(page.getByText("is not a valid number, so it counts as a withheld caller ID."));
    await checkNumber("+33 1 42 68 53 00");
    await expect
      .poll(verdict)
      .toBe("Not blocked: no entry of this agent's list or Acme's matches +33 1 42 68 53 00.");
    await noSeriousViolations();
  });

  it("takes a screenshot of the agent's page", async () => {
    await page.mouse.move(0, 0);
    const shot = updateScreenshot ? SCREENSHOT : join(profileDir, "ui.png");
    await mkdir(dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
  });

  it("removes one entry after confirming, keeps it when declined, and removes several selected", async () => {
    const remove = page.getByRole("button", { name: "Remove +44 20 7946 0958" });
    const declined = nextConfirm(page, "dismiss");
    await remove.click();
    expect(await declined).toBe("Remove the entry for +44 20 7946 0958 from the list of Sales line?");
    expect(await countLine()).toBe("4 entries");
    // By keyboard: the button, Enter, and the confirmation.
    const accepted = nextConfirm(page, "accept");
    await remove.focus();
    await page.keyboard.press("Enter");
    await accepted;
    await visible(page.getByText("Removed 1 entry."));
    await expect.poll(countLine).toBe("3 entries");

    await page.getByLabel("Select +1 900 234 5678").focus();
    await page.keyboard.press("Space");
    await page.getByLabel("Select +1 415 555 2671").first().check();
    const many = nextConfirm(page, "accept");
    await page.getByRole("button", { name: "Remove selected (2)" }).click();
    expect(await many).toBe("Remove 2 entries from the list of Sales line?");
    await visible(page.getByText("Removed 2 entries."));
    await expect
      .poll(rows)
      .toEqual([
        ["+1 415 555 2671 United States", "Block", "Outbound", "Do not call", "—", "Never", "1", RECENTLY],
      ]);
  });

  it("pages through 100,000 entries a hundred at a time on the server's cursor, and searches them", async () => {
    await page.getByRole("link", { name: "Bulk line" }).click();
    await visible(page.getByRole("heading", { name: "Bulk line", level: 2 }));
    await expect.poll(countLine).toBe("100,000 entries");
    await visible(page.getByText("Page 1 of 1,000"));
    expect((await rows()).slice(0, 2)).toEqual([
      ["+1 212 200 0000 United States", "Block", "Inbound", "—", "—", "Never", "0", "Never"],
      ["+1 212 200 0001 United States", "Block", "Inbound", "—", "—", "Never", "1", "2 hours ago"],
    ]);
    for (let turn = 1; turn <= 5; turn += 1) {
      await page.getByRole("button", { name: "Next" }).click();
      await visible(page.getByText(`Page ${turn + 1} of 1,000`));
      await expect
        .poll(async () => (await rows())[0]?.[0])
        .toBe(`+1 212 200 0${String(turn * 100).padStart(3, "0")} United States`);
    }
    await page.getByRole("button", { name: "Previous" }).click();
    await visible(page.getByText("Page 5 of 1,000"));
    await page.getByLabel("Search by digits").fill("1212209999");
    await expect.poll(countLine).toBe("10 of 100,000 entries match");
    expect((await rows()).map((row) => row[0])).toEqual(
      Array.from({ length: 10 }, (_, i) => `+1 212 209 999${i} United States`),
    );
    await noSeriousViolations();

    // A selection holds across pages: both entries go, with one confirmation.
    await page.getByLabel("Select +1 212 209 9990").check();
    await page.getByLabel("Search by digits").fill("");
    await expect.poll(countLine).toBe("100,000 entries");
    await page.getByLabel("Select +1 212 200 0000").check();
    const both = nextConfirm(page, "accept");
    await page.getByRole("button", { name: "Remove selected (2)" }).click();
    expect(await both).toBe("Remove 2 entries from the list of Bulk line?");
    await expect.poll(countLine).toBe("99,998 entries");
    expect((await rows())[0]?.[0]).toBe("+1 212 200 0001 United States");
  });

  it("shows a read-only session every entry and no write control", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").fill(readOnlyKey);
    await page.getByLabel("API key").press("Enter");
    await visible(page.getByText("Read-only", { exact: true }));
    await page.getByRole("link", { name: "Sales line" }).click();
    await expect
      .poll(rows)
      .toEqual([
        ["+1 415 555 2671 United States", "Block", "Outbound", "Do not call", "—", "Never", "1", RECENTLY],
      ]);
    const writeControls = async () => ({
      addForm: await page.getByRole("heading", { name: "Add entries" }).count(),
      buttons: await page.getByRole("button", { name: /^(Remove|Change|Save)/ }).count(),
      checkboxes: await page.getByRole("checkbox").count(),
      notice: await page.getByText("This key is read-only").count(),
      // It may export a list, not import one.
      csvImport: await page.getByLabel(/^CSV file to import/).count(),
      csvExport: await page.getByRole("link", { name: "Export CSV" }).count(),
    });
    const readOnlyControls = { addForm: 0, buttons: 0, checkboxes: 0, notice: 1, csvImport: 0, csvExport: 1 };
    expect(await writeControls()).toEqual(readOnlyControls);
    await checkNumber("+1 900 555 0100");
    await expect
      .poll(verdict)
      .toBe(`Blocked by Acme's prefix +1 900… — spam, added by ${keyPrefix()} on ${today()}.`);
    await noSeriousViolations();
    await page.getByRole("link", { name: "Every agent of Acme" }).first().click();
    await visible(page.getByRole("heading", { name: "Every agent of Acme", level: 2 }));
    await expect.poll(countLine).toBe("2 entries");
    expect(await writeControls()).toEqual(readOnlyControls);
    await noSeriousViolations();
  });

  it("breaks no rule of the Content-Security-Policy, logs no console error and has no request fail", () => {
    expect({ csp: browser.cspViolations, problems: browser.problems }).toEqual({ csp: [], problems: [] });
  });
});
