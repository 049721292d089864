import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWatchedBrowser, refusedRequest, takeProblems, type WatchedBrowser } from "./browser";
import { cliJson } from "./cli";
import { call } from "./http";
import { untilRefused } from "./revocation";
import { embeddedDataDirForFile, type RunningServer, startServer } from "./server";

// Sessions in a real headless Chromium against the built app, its own embedded PostgreSQL and the admin CLI:
// nothing is mocked. What the pages do with entries is entries-ui.test.ts.
const { env } = await embeddedDataDirForFile("e2e-data");
let profileDir: string;
let server: RunningServer | undefined;
let browser: WatchedBrowser;
let page: Page;
let user: Record<string, string>;
let readOnlyKey: { keyId: string; apiKey: string };

beforeAll(async () => {
  profileDir = await mkdtemp(join(tmpdir(), "blocklist-e2e-profile-"));
  server = await startServer(env);
  user = await cliJson(env, "user", "create", "--name", "Acme Health");
  for (const name of ["Sales line", "Support line"]) {
    await cliJson(env, "agent", "create", "--uid", String(user.uid), "--name", name);
  }
  const created = await cliJson(env, "key", "create", "--uid", String(user.uid), "--read-only");
  readOnlyKey = { keyId: String(created.keyId), apiKey: String(created.apiKey) };
  browser = await openWatchedBrowser(profileDir);
  page = browser.page;
  // Starting PostgreSQL on a busy two-core machine, beside other test files.
}, 300_000);

afterAll(async () => {
  await browser?.context.close();
  await server?.stop();
  await rm(profileDir, { recursive: true, force: true });
});

const visible = (locator: Locator) => locator.waitFor({ state: "visible" });

async function signIn(apiKey: string) {
  await page.getByLabel("API key").fill(apiKey);
  await page.getByLabel("API key").press("Enter");
}

// --- the journey ---------------------------------------------------------------------------------------

describe("the web UI in Chromium", () => {
  it("signs in with a key into an httpOnly session cookie, never the key, and never into the page's storage", async () => {
    await page.goto(String(server?.url));
    await visible(page.getByRole("heading", { name: "Sign in" }));
    await signIn(String(user.apiKey));

    await visible(page.getByRole("button", { name: "Sign out" }));
    // Signed in at /, the page moves on to the first agent's list.
    await page.waitForURL(/\/agents\/agt_/);
    await visible(page.getByRole("heading", { name: "Sales line", level: 2 }));
    expect(await page.getByText(`Signed in with key ${String(user.apiKey).slice(0, 9)}…`).count()).toBe(1);
    const cookies = await browser.context.cookies();
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

  it("opens the first agent's list, and every list of the user's organizations from the navigation", async () => {
    await visible(page.getByRole("heading", { name: "Sales line", level: 2 }));
    const links = await page
      .getByRole("navigation", { name: "Lists" })
      .getByRole("link")
      .evaluateAll((anchors) =>
        anchors.map((anchor) => [anchor.textContent, anchor.getAttribute("aria-current")]),
      );
    expect(links).toEqual([
      ["Every agent of Acme Health", null],
      ["Sales line", "page"],
      ["Support line", null],
    ]);
    await page.getByRole("link", { name: "Support line" }).click();
    await visible(page.getByRole("heading", { name: "Support line", level: 2 }));
  });

  it("stays signed in across a reload", async () => {
    await page.reload();
    await visible(page.getByRole("button", { name: "Sign out" }));
    await visible(page.getByRole("heading", { name: "Support line", level: 2 }));
  });

  it("signs out, and stays signed out after a reload", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await visible(page.getByLabel("API key"));
    expect(await browser.context.cookies()).toEqual([]);
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
    expect(await browser.context.cookies()).toEqual([]);
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    await takeProblems(browser.problems, refusedRequest("POST", "/api/trpc/session.signIn"));
  });

  it("signs a read-only key in, and says so", async () => {
    await signIn(readOnlyKey.apiKey);
    await visible(page.getByText("Read-only", { exact: true }));
    await visible(page.getByText("This key is read-only"));
  });

  it("ends the session at the next request once its key is revoked", async () => {
    await cliJson(env, "key", "revoke", "--key-id", readOnlyKey.keyId);
    // The server's check cache hears of the revocation through a notification: wait for it, then ask the UI.
    const refused = await untilRefused(performance.now(), () =>
      call(String(server?.url), "GET", "/api/organizations", { key: readOnlyKey.apiKey }),
    );
    expect(refused.status).toBe(401);
    await page.getByLabel("Number", { exact: true }).fill("+1 415 555 2671");
    await page.getByLabel("Number", { exact: true }).press("Enter");
    await visible(page.getByLabel("API key"));
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    await takeProblems(browser.problems, refusedRequest("GET", "/api/trpc/blockList.check"));
  });

  it("breaks no rule of the server's Content-Security-Policy along the way", () => {
    expect(browser.cspViolations).toEqual([]);
  });

  it("logs no console error and has no request fail along the way, but the refusals it provoked", () => {
    expect(browser.problems).toEqual([]);
  });
});
