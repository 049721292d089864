import { createTenant } from "@blocklist/api/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signIn } from "./http";
import { serverForFile } from "./server";

// Random requests to the REST routes of the real server: whatever is sent, the answer is JSON, never a 5xx,
// and never shows a stack trace, SQL or Prisma's words.
const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");
// A random session.signOut may end it; later cookie requests are then refused, which is just as good a case.
const { cookie: aliceSession } = await signIn(server.url, alice.apiKey);

// Thousands of cases in all: each property runs this many random requests.
const RUNS = 1000;

const LEAKS = /prisma|postgres|\bselect\b.*\bfrom\b|\binsert into\b|\bat .+:\d+:\d+|stack|node_modules/i;
const headerText = fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\x20-\x7e]/g, ""));

describe("random REST requests", () => {
  it("never answer 5xx, always JSON, never internals", async () => {
    const request = fc.record({
      method: fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"),
      path: fc.constantFrom("/api/agent-block-list", "/api/organizations", "/api/nothing-here"),
      query: fc.dictionary(
        fc.constantFrom("uid", "agentId", "limit", "cursor", "x"),
        fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("1", "10000", "0", "-1", "1e3", "bjox")),
      ),
      key: fc.constantFrom("valid", "read-only", "none", "garbage"),
      contentType: fc.option(
        fc.oneof(
          fc.constantFrom("application/json", "text/plain", "application/json; charset=utf-8"),
          headerText,
        ),
      ),
      body: fc.option(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
          fc
            .record({
              uid: fc.oneof(fc.constant("self"), fc.string()),
              agentId: fc.oneof(fc.constant("own"), fc.string()),
              numbers: fc.oneof(fc.array(fc.oneof(fc.string(), fc.constant("+14155552671"))), fc.jsonValue()),
            })
            .map((body) =>
              JSON.stringify({
                ...body,
                uid: body.uid === "self" ? alice.uid : body.uid,
                agentId: body.agentId === "own" ? alice.agentId : body.agentId,
              }),
            ),
        ),
      ),
      extraHeader: fc.option(fc.tuple(fc.constantFrom("X-Foo", "Accept", "Content-Length-X"), headerText)),
    });

    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const headers: Record<string, string> = {};
        if (input.key === "valid") headers["X-Authorization"] = alice.apiKey;
        if (input.key === "read-only") headers["X-Authorization"] = alice.readOnlyKey;
        if (input.key === "garbage") headers["X-Authorization"] = "bl_garbage";
        if (input.contentType !== null) headers["Content-Type"] = input.contentType;
        if (input.extraHeader !== null) headers[input.extraHeader[0]] = input.extraHeader[1];
        const url = new URL(input.path, server.url);
        for (const [name, value] of Object.entries(input.query)) url.searchParams.set(name, value);
        const sendsBody = input.body !== null && input.method !== "GET";
        const response = await fetch(url, {
          method: input.method,
          headers,
          ...(sendsBody ? { body: input.body ?? "" } : {}),
        });
        const text = await response.text();
        const label = `${input.method} ${url.pathname}${url.search} → ${response.status} ${text.slice(0, 200)}`;
        expect(response.status, label).toBeLessThan(500);
        expect(response.headers.get("content-type"), label).toMatch(/^application\/json/);
        expect(() => JSON.parse(text), label).not.toThrow();
        // A 200 echoes failed numbers exactly as sent; an error answer echoes nothing of the request.
        if (response.status !== 200) expect(text, label).not.toMatch(LEAKS);
      }),
      { numRuns: RUNS },
    );
    console.info(`fuzz: ${RUNS} random REST requests, no 5xx, all JSON, no internals`);
  });
});

describe("random tRPC requests", () => {
  it("never answer 5xx, always JSON, never internals", async () => {
    const procedures = [
      "blockList.list",
      "blockList.add",
      "blockList.remove",
      "blockList.check",
      "organizations.list",
      "agents.list",
      "session.me",
      "session.signIn",
      "session.signOut",
      "nothing.here",
    ];
    const input = fc.oneof(
      fc.jsonValue(),
      fc.record({
        agentId: fc.oneof(fc.constant("own"), fc.string({ maxLength: 30 })),
        numbers: fc.oneof(
          fc.array(fc.oneof(fc.string(), fc.constant("+14155552671")), { maxLength: 20 }),
          fc.jsonValue(),
        ),
        number: fc.oneof(fc.string(), fc.constant("+1 415 555 2671")),
        limit: fc.oneof(fc.integer(), fc.string()),
        cursor: fc.string({ maxLength: 20 }),
        search: fc.string({ maxLength: 20 }),
        apiKey: fc.oneof(fc.string(), fc.constant("valid")),
      }),
    );
    const request = fc.record({
      method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD"),
      procedures: fc.array(fc.constantFrom(...procedures), { minLength: 1, maxLength: 3 }),
      batch: fc.boolean(),
      input,
      rawBody: fc.option(fc.string({ maxLength: 200 })),
      credentials: fc.constantFrom("key", "read-only key", "cookie", "key in cookie", "garbage", "none"),
      contentType: fc.option(
        fc.oneof(
          fc.constantFrom(
            "application/json",
            "text/plain",
            "multipart/form-data",
            "application/octet-stream",
          ),
          headerText,
        ),
      ),
      site: fc.option(fc.constantFrom("same-origin", "cross-site", "same-site", "none")),
    });

    await fc.assert(
      fc.asyncProperty(request, async (sent) => {
        const withOwnIds = JSON.parse(
          JSON.stringify(sent.input ?? null)
            .replaceAll('"own"', JSON.stringify(alice.agentId))
            .replaceAll('"valid"', JSON.stringify(alice.apiKey)),
        ) as unknown;
        const payload = sent.batch
          ? Object.fromEntries(sent.procedures.map((_, index) => [String(index), withOwnIds]))
          : withOwnIds;
        const url = new URL(`/api/trpc/${sent.procedures.join(",")}`, server.url);
        if (sent.batch) url.searchParams.set("batch", "1");
        const headers: Record<string, string> = {};
        if (sent.credentials === "key") headers["X-Authorization"] = alice.apiKey;
        if (sent.credentials === "read-only key") headers["X-Authorization"] = alice.readOnlyKey;
        if (sent.credentials === "garbage") headers["X-Authorization"] = "bl_garbage";
        if (sent.credentials === "cookie") headers.Cookie = aliceSession;
        if (sent.credentials === "key in cookie") headers.Cookie = `bl_session=${alice.apiKey}`;
        if (sent.contentType !== null) headers["Content-Type"] = sent.contentType;
        if (sent.site !== null) headers["Sec-Fetch-Site"] = sent.site;
        const hasBody = sent.method !== "GET" && sent.method !== "HEAD";
        if (!hasBody) url.searchParams.set("input", JSON.stringify(payload));
        const response = await fetch(url, {
          method: sent.method,
          headers,
          ...(hasBody ? { body: sent.rawBody ?? JSON.stringify(payload) } : {}),
        });
        const text = await response.text();
        const label = `${sent.method} ${url.pathname}${url.search.slice(0, 100)} → ${response.status} ${text.slice(0, 200)}`;
        expect(response.status, label).toBeLessThan(500);
        if (sent.method === "HEAD") return;
        expect(response.headers.get("content-type"), label).toMatch(/^application\/json/);
        expect(() => JSON.parse(text), label).not.toThrow();
        if (response.status !== 200) expect(text, label).not.toMatch(LEAKS);
      }),
      { numRuns: RUNS },
    );
    console.info(
      `fuzz: ${RUNS} random tRPC requests (batches, methods, content types, credentials), no 5xx, all JSON, no internals`,
    );
  });
});
