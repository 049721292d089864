import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Dialog, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliJson } from "./cli";
import { call } from "./http";
import { untilRefused } from "./revocation";
import { embeddedDataDirForFile, type RunningServer, startServer } from "./server";

// The UI in a real headless Chromium against the built app, its own embedded PostgreSQL and the admin CLI:
// nothing is mocked. CI installs Debian's chromium (.ci/run); without it this file fails rather than skips.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// docs/ui.png changes with every run (keys are random), so it is rewritten only on request.
const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/ui.png");
const updateScreenshot = process.env.UPDATE_SCREENSHOT === "1";
const BULK_SIZE = 100_000;

const { env } = await embeddedDataDirForFile("e2e-data");
let profileDir: string;
let server: RunningServer | undefined;
let context: BrowserContext | undefined;
let page: Page;
const cspViolations: string[] = [];
// Console errors, uncaught errors, requests that failed and answers of 400 or more, as they happen, each with
// the path it concerns: the refusals a step provokes on purpose are taken out by that step (takeProblems), and
// the last test requires that nothing else happened.
const pageProblems: string[] = [];
const pathOf = (url: string) => (url ? new URL(url).pathname : "(no url)");
let user: Record<string, string>;
let readOnlyKey: { keyId: string; apiKey: string };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  profileDir = await mkdtemp(join(tmpdir(), "blocklist-e2e-profile-"));
  server = await startServer(env);

  user = await cliJson(env, "user", "create", "--name", "Acme Health");
  const uid = String(user.uid);
  for (const name of ["Sales line", "Support line", "Bulk line"]) {
    await cliJson(env, "agent", "create", "--uid", uid, "--name", name);
  }
  const created = await cliJson(env, "key", "create", "--uid", uid, "--read-only");
  readOnlyKey = { keyId: String(created.keyId), apiKey: String(created.apiKey) };
  await fillBulkAgent(uid);

  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  // The server's Content-Security-Policy must not block anything the UI does.
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    if (message.type() === "error") {
      pageProblems.push(`console error: ${message.text()} (${pathOf(message.location().url)})`);
    }
  });
  page.on("pageerror", (error) => pageProblems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) =>
    pageProblems.push(`failed: ${request.method()} ${pathOf(request.url())} ${request.failure()?.errorText}`),
  );
  page.on("response", (response) => {
    if (response.status() < 400) return;
    pageProblems.push(`${response.status()}: ${response.request().method()} ${pathOf(response.url())}`);
  });
  // Starting PostgreSQL and storing 100,000 numbers on a busy two-core machine, beside other test files.
}, 300_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await rm(profileDir, { recursive: true, force: true });
});

/** 100,000 numbers through the REST route (10,000 a request), so that paging meets a list of real size. */
async function fillBulkAgent(uid: string) {
  const organizations = await call(String(server?.url), "GET", "/api/organizations", { key: user.apiKey });
  const { organizations: list } = organizations.body as {
    organizations: { agents: { id: string; name: string }[] }[];
  };
  const bulk = list[0]?.agents.find((agent) => agent.name === "Bulk line");
  for (let start = 0; start < BULK_SIZE; start += 10_000) {
    const numbers = Array.from({ length: 10_000 }, (_, i) => bulkNumber(start + i));
    const answer = await call(String(server?.url), "POST", "/api/agent-block-list", {
      key: user.apiKey,
      body: { uid, agentId: bulk?.id, numbers },
    });
    expect(answer.body).toMatchObject({ failed: [] });
  }
}
const afterRemovals = [
  "+14155552671",
  "+442079460958",
  "+12125550142",
  "+34912345678",
  "+14155552999",
  "+81332249999",
];
const bulkNumber = (index: number) => `+1212${String(2_000_000 + index)}`;

// --- reading the page --------------------------------------------------------------------------------

const listedNumbers = () =>
  page.getByRole("table", { name: "Blocked numbers" }).locator("tbody code").allTextContents();

const countLine = () => page.locator(".count").textContent();

/** Each row of the failures table as [input as typed, reason]. */
const failureRows = (caption: RegExp) =>
  page
    .getByRole("table", { name: caption })
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((row) => Array.from((row as HTMLTableRowElement).cells, (cell) => cell.textContent)),
    );

const visible = (locator: Locator) => locator.waitFor({ state: "visible" });
const gone = (locator: Locator) => locator.waitFor({ state: "detached" });

async function signIn(apiKey: string) {
  await page.getByLabel("API key").fill(apiKey);
  await page.getByLabel("API key").press("Enter");
}

/** Answers the next window.confirm and tells what it asked. */
function nextConfirm(answer: "accept" | "dismiss"): Promise<string> {
  return new Promise((resolve) =>
    page.once("dialog", (dialog: Dialog) => {
      resolve(dialog.message());
      void (answer === "accept" ? dialog.accept() : dialog.dismiss());
    }),
  );
}

async function addNumbers(text: string, buttonName: string) {
  await page.getByLabel("Numbers to block").fill(text);
  await page.getByRole("button", { name: buttonName }).click();
}

async function checkNumber(number: string) {
  await page.getByLabel("Caller number").fill(number);
  await page.getByLabel("Caller number").press("Enter");
}

/**
 * Waits until the page has reported each of `expected` (a refusal a step provokes: the answer, then Chromium's
 * console line for it) and takes them out, so that the last test sees only what nobody expected.
 */
async function takeProblems(expected: string[]): Promise<void> {
  await expect.poll(() => pageProblems).toEqual(expect.arrayContaining(expected));
  for (const problem of expected) pageProblems.splice(pageProblems.indexOf(problem), 1);
}

/** What Chromium reports for an answer of 401 to a request of the page. */
const refusedRequest = (method: string, path: string) => [
  `401: ${method} ${path}`,
  `console error: Failed to load resource: the server responded with a status of 401 (Unauthorized) (${path})`,
];

// --- the journey ---------------------------------------------------------------------------------------

describe("the web UI in Chromium", () => {
  it("signs in with a key into an httpOnly session cookie, never the key, and never into the page's storage", async () => {
    await page.goto(String(server?.url));
    await visible(page.getByRole("heading", { name: "Sign in" }));
    await signIn(String(user.apiKey));

    await visible(page.getByRole("button", { name: "Sign out" }));
    expect(await page.getByText(`Signed in with key ${String(user.apiKey).slice(0, 9)}…`).count()).toBe(1);
    const cookies = await context?.cookies();
    // A session id, not the key (packages/api/src/sessions.ts).
    expect(
      cookies?.map(({ name, value, httpOnly, sameSite }) => ({ name, value, httpOnly, sameSite })),
    ).toEqual([
      {
        name: "bl_session",
        value: expect.stringMatching(/^ses_[0-9A-Za-z]{32}$/),
        httpOnly: true,
        sameSite: "Strict",
      },
    ]);
    const storage = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify(localStorage),
      session: JSON.stringify(sessionStorage),
    }));
    expect(storage).toEqual({ cookie: "", local: "{}", session: "{}" });
  });

  it("has an icon, linked from the page and at /favicon.ico where browsers look by default", async () => {
    const links = await page.evaluate(() =>
      Array.from(document.querySelectorAll('link[rel~="icon"]'), (link) => link.getAttribute("href")),
    );
    expect(links).toEqual([expect.stringMatching(/^\/favicon\.ico(\?|$)/)]);
    const icon = await fetch(new URL("/favicon.ico", String(server?.url)));
    const bytes = new Uint8Array(await icon.arrayBuffer());
    // An ICO file starts with reserved 0, type 1 (icon).
    expect({
      status: icon.status,
      type: icon.headers.get("content-type"),
      start: [...bytes.subarray(0, 4)],
    }).toEqual({ status: 200, type: "image/x-icon", start: [0, 0, 1, 0] });
  });

  it("picks an organization and an agent", async () => {
    await visible(page.getByRole("heading", { name: "Blocked numbers · Sales line" }));
    expect(await page.getByLabel("Organization").inputValue()).toBe(user.orgId);

    await page.getByLabel("Agent").selectOption({ label: "Support line" });
    await visible(page.getByRole("heading", { name: "Blocked numbers · Support line" }));
    await visible(page.getByText("No numbers are blocked for this agent yet."));
  });

  it("adds pasted numbers and shows each failure with its reason next to the input as typed", async () => {
    await addNumbers(
      [
        "+1 415 555 2671",
        "+44 20 7946 0958, +33 1 42 68 53 00; +49 30 901820",
        "4155552671",
        "+1 (415) 555-2671",
        "+1234567890",
        "+61 2 9374 4000",
        "",
      ].join("\n"),
      "Block 8 numbers",
    );
    await visible(page.getByText("Blocked 5 numbers"));
    expect(await failureRows(/^Not blocked/)).toEqual([
      ["4155552671", "Invalid phone number format"],
      ["+1 (415) 555-2671", "Duplicate number in request"],
      ["+1234567890", "Invalid phone number format"],
    ]);
    // Something failed, so the text stays in the box to be corrected.
    expect(await page.getByLabel("Numbers to block").inputValue()).toContain("4155552671");
    await expect
      .poll(listedNumbers)
      .toEqual(["+14155552671", "+442079460958", "+33142685300", "+4930901820", "+61293744000"].sort());
    // Added in one request, they are listed in the order the service stored them (E.164 sort within a request).

    await addNumbers("+14155552671\n+1 650 253 0000\n+34 912 345 678\n+1 212 555 0142", "Block 4 numbers");
    await visible(page.getByText("Blocked 3 numbers"));
    expect(await failureRows(/^Not blocked/)).toEqual([["+14155552671", "Number already in block list"]]);
    await expect.poll(countLine).toBe("8 numbers blocked");
    expect(await listedNumbers()).toHaveLength(8);
  });

  it("searches by digits as one types", async () => {
    const search = page.getByLabel("Search by digits");
    await search.pressSequentially("(415)");
    await expect.poll(listedNumbers).toEqual(["+14155552671"]);
    await expect.poll(countLine).toBe("1 of 8 numbers match");

    await search.fill("+1 212");
    await expect.poll(listedNumbers).toEqual(["+12125550142"]);
    await search.fill("999999");
    await visible(page.getByText("No blocked number contains the digits “999999”."));
    await search.fill("");
    await expect.poll(countLine).toBe("8 numbers blocked");
  });

  it("checks whether a caller would be blocked", async () => {
    await checkNumber("+1 (415) 555-2671");
    await visible(page.getByText("Calls from +14155552671 to this agent are refused."));
    await checkNumber("+1 415 555 2999");
    await visible(page.getByText("Calls from +14155552999 get through."));
    await checkNumber("call me maybe");
    await visible(page.getByText("is not a valid phone number"));
    await checkNumber("+1 650 253 0000");
    await visible(page.getByText("Calls from +16502530000 to this agent are refused."));
  });

  it("takes a screenshot of a list, a result and a verdict", async () => {
    await addNumbers("+1 415 555 2999\n+44 20 7946 0958\n555-0100\n+81 3-3224-9999", "Block 4 numbers");
    await visible(page.getByText("Blocked 2 numbers: +14155552999, +81332249999."));
    expect(await failureRows(/^Not blocked/)).toEqual([
      ["+44 20 7946 0958", "Number already in block list"],
      ["555-0100", "Invalid phone number format"],
    ]);
    await expect.poll(countLine).toBe("10 numbers blocked");
    await page.mouse.move(0, 0);
    const shot = updateScreenshot ? SCREENSHOT : join(profileDir, "ui.png");
    await mkdir(dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
  });

  it("removes one number after confirming, and keeps it when the confirmation is declined", async () => {
    const removeButton = page.getByRole("button", { name: "Remove +16502530000" });
    const declined = nextConfirm("dismiss");
    await removeButton.click();
    expect(await declined).toBe("Remove +16502530000 from the block list of Support line?");
    expect(await listedNumbers()).toContain("+16502530000");

    const accepted = nextConfirm("accept");
    await removeButton.click();
    await accepted;
    await gone(removeButton);
    await visible(page.getByText("Removed 1 number"));
    await expect.poll(countLine).toBe("9 numbers blocked");
    // The check box answers for the list as it is now.
    await visible(page.getByText("Calls from +16502530000 get through."));
  });

  it("removes several selected numbers", async () => {
    await page.getByLabel("Select +33142685300").check();
    await page.getByLabel("Select +4930901820").check();
    await page.getByLabel("Select +61293744000").check();
    const accepted = nextConfirm("accept");
    await page.getByRole("button", { name: "Remove selected (3)" }).click();
    expect(await accepted).toBe("Remove 3 numbers from the block list of Support line?");
    await visible(page.getByText("Removed 3 numbers"));
    await expect.poll(listedNumbers).toEqual(afterRemovals);
    expect(await countLine()).toBe("6 numbers blocked");
    expect(await page.getByRole("button", { name: "Remove selected (0)" }).isDisabled()).toBe(true);
  });

  it("pages through 100,000 numbers a hundred at a time, and searches them", async () => {
    await page.getByLabel("Agent").selectOption({ label: "Bulk line" });
    await visible(page.getByRole("heading", { name: "Blocked numbers · Bulk line" }));
    await expect.poll(countLine).toBe("100,000 numbers blocked");
    const firstPage = Array.from({ length: 100 }, (_, i) => bulkNumber(i));
    expect(await listedNumbers()).toEqual(firstPage);
    await visible(page.getByText("Page 1 of 1,000"));
    expect(await page.getByRole("button", { name: "Previous" }).isDisabled()).toBe(true);

    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(listedNumbers).toEqual(Array.from({ length: 100 }, (_, i) => bulkNumber(100 + i)));
    await visible(page.getByText("Page 2 of 1,000"));
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(listedNumbers).toEqual(firstPage);

    await page.getByLabel("Search by digits").fill("1212209999");
    await expect.poll(countLine).toBe("10 of 100,000 numbers match");
    expect(await listedNumbers()).toEqual(Array.from({ length: 10 }, (_, i) => bulkNumber(99_990 + i)));
  });

  it("stays signed in across a reload", async () => {
    await page.reload();
    await visible(page.getByRole("button", { name: "Sign out" }));
    await visible(page.getByRole("heading", { name: "Blocked numbers · Sales line" }));
  });

  it("signs out, and stays signed out after a reload", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await visible(page.getByLabel("API key"));
    expect(await context?.cookies()).toEqual([]);
    await page.reload();
    await visible(page.getByLabel("API key"));
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
  });

  it("refuses a wrong key with a clear message", async () => {
    await signIn("bl_thisKeyDoesNotExist0000000000000");
    // Next adds a route announcer with role alert of its own; ours is the one about the key.
    const alert = page.getByRole("alert").filter({ hasText: "API key" });
    await visible(alert);
    expect(await alert.textContent()).toBe(
      "That API key was not accepted: it is unknown or has been revoked.",
    );
    expect(await context?.cookies()).toEqual([]);
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    await takeProblems(refusedRequest("POST", "/api/trpc/session.signIn"));
  });

  it("shows a read-only key the list but no way to change it", async () => {
    await signIn(readOnlyKey.apiKey);
    await visible(page.getByText("Read-only", { exact: true }));
    await page.getByLabel("Agent").selectOption({ label: "Support line" });
    await expect.poll(listedNumbers).toEqual(afterRemovals);
    await visible(page.getByText("This key is read-only"));

    expect(await page.getByLabel("Numbers to block").count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Remove/ }).count()).toBe(0);
    expect(await page.getByRole("checkbox").count()).toBe(0);
    await checkNumber("+44 20 7946 0958");
    await visible(page.getByText("Calls from +442079460958 to this agent are refused."));
  });

  it("ends the session at the next request once its key is revoked", async () => {
    await cliJson(env, "key", "revoke", "--key-id", readOnlyKey.keyId);
    // The server's check cache hears of the revocation through a notification: wait for it, then ask the UI.
    const refused = await untilRefused(performance.now(), () =>
      call(String(server?.url), "GET", "/api/organizations", { key: readOnlyKey.apiKey }),
    );
    expect(refused.status).toBe(401);
    await checkNumber("+1 415 555 2671");
    await visible(page.getByLabel("API key"));
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    await takeProblems(refusedRequest("GET", "/api/trpc/blockList.check"));
  });

  it("breaks no rule of the server's Content-Security-Policy along the way", () => {
    expect(cspViolations).toEqual([]);
  });

  it("logs no console error and has no request fail along the way, but the refusals it provoked", () => {
    expect(pageProblems).toEqual([]);
  });
});
