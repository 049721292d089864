import { existsSync } from "node:fs";
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage } from "@blocklist/core";
import { buildOpenApiDocument, HTTP_METHODS } from "@blocklist/core/openapi";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./http";
import { serverForFile } from "./server";

// /docs in a real headless Chromium that may reach nothing but this server: the reference must render the
// whole API from our own assets. CI installs Debian's chromium (.ci/run); without it this file fails.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

if (!existsSync(CHROMIUM)) {
  throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
}
const { db, server } = await serverForFile();
const tenant = await createTenant(db, "docs reader");
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
});

const documented = buildOpenApiDocument();
const operations = Object.entries(documented.paths).flatMap(([path, pathItem]) =>
  HTTP_METHODS.flatMap((method) => {
    const operation = pathItem[method];
    return operation ? [{ method: method.toUpperCase(), path, summary: operation.summary }] : [];
  }),
);

describe("GET /docs", () => {
  it("is an HTML page that loads only files of this server", async () => {
    const response = await fetch(new URL("/docs", server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await response.text();

    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");
    expect(references.length).toBeGreaterThanOrEqual(5);
    for (const reference of references) {
      expect(reference, "a same-origin path").toMatch(/^\/(?!\/)/);
      const asset = await fetch(new URL(reference, server.url));
      expect(asset.status, reference).toBe(200);
      expect(asset.headers.get("content-type"), reference).toMatch(
        /^(text\/html|text\/css|text\/javascript|image\/png|application\/json)/,
      );
    }
  });

  it("answers JSON 404 for a file it does not have, even one named like a property of every object", async () => {
    const names = ["nothing.js", "package.json", "..%2F..%2Fpackage.json", "index.html"];
    for (const name of [...names, "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      const answer = await call(server.url, "GET", `/docs/assets/${name}`);
      expect({ status: answer.status, body: answer.body }, name).toEqual({
        status: 404,
        body: { error: ErrorMessage.notFound },
      });
    }
  });
});

describe("the API reference in Chromium, offline", () => {
  let page: Page;
  const elsewhere: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    const origin = new URL(server.url).origin;
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      elsewhere.push(url);
      return route.abort("internetdisconnected");
    });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(new URL("/docs", server.url).href, { waitUntil: "networkidle" });
    await page.locator(".opblock").first().waitFor();
  });

  it("shows every operation of the document, from this server's files alone", async () => {
    const shown = await page.locator(".opblock-summary").evaluateAll((summaries) =>
      summaries.map((summary) => ({
        method: summary.querySelector(".opblock-summary-method")?.textContent ?? "",
        path: summary.querySelector(".opblock-summary-path")?.textContent ?? "",
        summary: summary.querySelector(".opblock-summary-description")?.textContent ?? "",
      })),
    );
    const byPathAndMethod = (a: { path: string; method: string }, b: { path: string; method: string }) =>
      `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`);
    expect(shown.sort(byPathAndMethod)).toEqual(operations.sort(byPathAndMethod));
    await expect(page.getByRole("heading", { name: /Agent block list API/ }).count()).resolves.toBe(1);
    expect(await page.locator(".errors-wrapper").count(), "Swagger UI reports no errors").toBe(0);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("lists every schema of the document", async () => {
    await page.locator("section.models button.models-control").click();
    const names = await page
      .locator(
        'section.models article[data-json-schema-level="0"] > .json-schema-2020-12-head .json-schema-2020-12__title',
      )
      .allInnerTexts();
    expect(names.sort()).toEqual(Object.keys(documented.components.schemas).sort());
  });

  it("sends a request with the reader's key and shows the real answer", async () => {
    await page.locator("button.authorize").first().click();
    await page.locator(".auth-container input").fill(tenant.apiKey);
    await page.locator(".auth-btn-wrapper button.authorize").click();
    await page.locator(".auth-btn-wrapper button.btn-done").click();

    const operation = page.locator("#operations-Organizations-listOrganizations");
    await operation.locator(".opblock-summary").click();
    await operation.locator("button.try-out__btn").click();
    await operation.locator("button.execute").click();
    const live = operation.locator(".live-responses-table .response");
    await expect(live.locator(".response-col_status").textContent()).resolves.toBe("200");
    const body = JSON.parse(
      (await live.locator(".microlight, pre.example, .highlight-code pre").first().textContent()) ?? "",
    );
    expect(body).toEqual({
      organizations: [
        {
          id: tenant.orgId,
          name: "docs reader",
          agents: [{ id: tenant.agentId, name: "docs reader agent" }],
        },
      ],
    });
    expect(elsewhere).toEqual([]);
  });
});
