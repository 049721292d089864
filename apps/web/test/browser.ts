import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AxeResults } from "axe-core";
import { type BrowserContext, chromium, type Dialog, type Page, type Request } from "playwright-core";
import { expect } from "vitest";

// Real headless Chromium for the UI tests (Debian's chromium, or CHROMIUM_PATH). CI installs it (.ci/run);
// without it a test file fails rather than skips.
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

export interface WatchedBrowser {
  context: BrowserContext;
  page: Page;
  /**
   * Console errors, uncaught errors, requests that failed and answers of 400 or more, as they happen, each with
   * the path it concerns: the refusals a step provokes on purpose are taken out by that step (takeProblems), and
   * the last test requires that nothing else happened.
   */
  problems: string[];
  /** What the server's Content-Security-Policy blocked. */
  cspViolations: string[];
}

const pathOf = (url: string) => (url ? new URL(url).pathname : "(no url)");

/** Chromium on a fresh profile in `profileDir`, its one page watched for every problem it reports. */
export async function openWatchedBrowser(profileDir: string): Promise<WatchedBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  const cspViolations: string[] = [];
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    if (message.type() === "error") {
      problems.push(`console error: ${message.text()} (${pathOf(message.location().url)})`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // A request still running when the page starts loading another document is cancelled by the browser: that
  // is the page being left (a link followed), not a failure.
  let documents = 0;
  const documentOf = new WeakMap<Request, number>();
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) documents += 1;
    else documentOf.set(request, documents);
  });
  page.on("requestfailed", (request) => {
    const left = documentOf.get(request) !== documents && request.failure()?.errorText === "net::ERR_ABORTED";
    if (left) return;
    problems.push(`failed: ${request.method()} ${pathOf(request.url())} ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    if (response.status() < 400) return;
    problems.push(`${response.status()}: ${response.request().method()} ${pathOf(response.url())}`);
  });
  return { context, page, problems, cspViolations };
}

/**
 * Waits until the page has reported each of `expected` (a refusal a step provokes: the answer, then Chromium's
 * console line for it) and takes them out, so that the last test sees only what nobody expected.
 */
export async function takeProblems(problems: string[], expected: string[]): Promise<void> {
  await expect.poll(() => problems).toEqual(expect.arrayContaining(expected));
  for (const problem of expected) problems.splice(problems.indexOf(problem), 1);
}

/** What Chromium reports for an answer of 401 to a request of the page. */
export const refusedRequest = (method: string, path: string) => [
  `401: ${method} ${path}`,
  `console error: Failed to load resource: the server responded with a status of 401 (Unauthorized) (${path})`,
];

/** Answers the next window.confirm and tells what it asked. */
export function nextConfirm(page: Page, answer: "accept" | "dismiss"): Promise<string> {
  return new Promise((resolve) =>
    page.once("dialog", (dialog: Dialog) => {
      resolve(dialog.message());
      void (answer === "accept" ? dialog.accept() : dialog.dismiss());
    }),
  );
}

const axeSource = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's serious and critical violations of the page as it is now, each as "rule: the elements". The
 * script is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(await axeSource);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run: () => Promise<AxeResults> } }).axe.run(),
  );
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
}
