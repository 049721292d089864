// Next.js loaded on the first page request (server/pages.ts): once, shared by concurrent first requests, and
// tried again after a failed load. A stand-in for Next.js's handler; the real one is exercised by e2e.test.ts.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { PageHandler } from "../server/app";
import { assertPagesBuilt, pagesLoadedOnFirstUse } from "../server/pages";

/** A request and a response that record which handler answered them. */
function exchange(): { request: IncomingMessage; response: ServerResponse; answeredBy: () => string[] } {
  const answeredBy: string[] = [];
  const response = { end: (by: string) => answeredBy.push(by) } as unknown as ServerResponse;
  return { request: {} as IncomingMessage, response, answeredBy: () => answeredBy };
}

describe("pages loaded on first use", () => {
  it("load nothing before the first page, then once for every page", async () => {
    const loads: string[] = [];
    const pages = pagesLoadedOnFirstUse(async () => {
      loads.push(`load ${loads.length + 1}`);
      const handler: PageHandler = async (_request, response) => {
        response.end(`handler of load ${loads.length}`);
      };
      return handler;
    });
    const loadsBeforeAnyPage = [...loads];
    const [first, second, third] = [exchange(), exchange(), exchange()];
    await Promise.all([pages(first.request, first.response), pages(second.request, second.response)]);
    await pages(third.request, third.response);
    expect({
      loadsBeforeAnyPage,
      loads,
      answers: [first, second, third].map((call) => call.answeredBy()),
    }).toEqual({
      loadsBeforeAnyPage: [],
      loads: ["load 1"],
      answers: [["handler of load 1"], ["handler of load 1"], ["handler of load 1"]],
    });
  });

  it("fail the page whose load failed, and load again for the next one", async () => {
    let attempts = 0;
    const pages = pagesLoadedOnFirstUse(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("Next.js failed to load");
      const handler: PageHandler = async (_request, response) => {
        response.end(`attempt ${attempts}`);
      };
      return handler;
    });
    const [failed, next] = [exchange(), exchange()];
    const failure = await pages(failed.request, failed.response).then(
      () => "answered",
      (error: Error) => error.message,
    );
    await pages(next.request, next.response);
    expect({ failure, attempts, answers: [failed.answeredBy(), next.answeredBy()] }).toEqual({
      failure: "Next.js failed to load",
      attempts: 2,
      answers: [[], ["attempt 2"]],
    });
  });

  it("refuse to start without a production build, as Next.js does", async () => {
    const appDir = await mkdtemp(path.join(tmpdir(), "pages-"));
    try {
      const withoutBuild = await assertPagesBuilt(appDir).then(
        () => "started",
        (error: Error) => error.message,
      );
      await mkdir(path.join(appDir, ".next"));
      await writeFile(path.join(appDir, ".next", "BUILD_ID"), "build");
      const withBuild = await assertPagesBuilt(appDir).then(() => "started");
      expect({ withoutBuild, withBuild }).toEqual({
        withoutBuild: `Could not find a production build in the '${path.join(appDir, ".next")}' directory. Try building your app with 'next build' before starting the production server.`,
        withBuild: "started",
      });
    } finally {
      await rm(appDir, { recursive: true, force: true });
    }
  });
});
