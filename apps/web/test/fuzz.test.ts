import { createTenant, type Tenant } from "@blocklist/api/testing";
import type { PrismaClient } from "@blocklist/db";
import { createTestDatabase } from "@blocklist/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./server";

// Random requests to the REST routes of the real server: whatever is sent, the answer is JSON, never a 5xx,
// and never shows a stack trace, SQL or Prisma's words.
let db: PrismaClient;
let drop: () => Promise<void>;
let server: RunningServer;
let alice: Tenant;

beforeAll(async () => {
  const database = await createTestDatabase();
  ({ prisma: db, drop } = database);
  server = await startServer({ DATABASE_URL: database.url });
  alice = await createTenant(db, "alice");
});
afterAll(async () => {
  await server?.stop();
  await drop?.();
});

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
      { numRuns: 300 },
    );
  });
});
