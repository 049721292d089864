import { createTenant, impossibleIdsLike } from "@blocklist/api/testing";
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

// Paged lists of two customers, for real cursors: alice's own, and bob's (another list).
const bob = await createTenant(db, "bob");
async function firstCursor(tenant: typeof alice): Promise<string> {
  const headers = { "X-Authorization": tenant.apiKey, "Content-Type": "application/json" };
  const url = new URL("/api/agent-block-list", server.url);
  const body = JSON.stringify({
    uid: tenant.uid,
    agentId: tenant.agentId,
    numbers: ["+14155552671", "+442079460958"],
  });
  expect((await fetch(url, { method: "POST", headers, body })).status).toBe(200);
  url.search = new URLSearchParams({ uid: tenant.uid, agentId: tenant.agentId, limit: "1" }).toString();
  const { nextCursor } = (await (await fetch(url, { headers })).json()) as { nextCursor: string };
  return nextCursor;
}
const ownCursor = await firstCursor(alice);
const foreignCursor = await firstCursor(bob);

// Text holding what SQL and UTF-8 choke on: NUL, lone surrogates, control characters.
const oddText = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\u0000", "\ud800", "\udfff", "\u001f", "\u007f", "\ufffd", "é", "-", "_"),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});
/** Agent ids that cannot exist, each sent where an agent id goes. */
const oddAgentId = fc.oneof(
  // The three of issue 11 most often.
  {
    weight: 3,
    arbitrary: fc.constantFrom("agt_\u0000x", `agt_\ud800${"a".repeat(19)}`, `agt_${"a".repeat(4996)}`),
  },
  fc.constantFrom(...impossibleIdsLike(alice.agentId).map(([, id]) => id)),
  oddText.map((text) => `agt_${text}`),
  fc.nat({ max: 5000 }).map((length) => `agt_${"a".repeat(length)}`),
);
/** Cursors the service did not issue for alice's list, and her own. */
const oddCursor = fc.oneof(
  fc.constant(ownCursor),
  fc.constant(foreignCursor),
  fc
    .tuple(fc.nat({ max: ownCursor.length - 1 }), fc.constantFrom("A", "b", "-", "_", "0"))
    .map(([at, character]) => `${ownCursor.slice(0, at)}${character}${ownCursor.slice(at + 1)}`),
  fc.nat({ max: ownCursor.length - 1 }).map((length) => ownCursor.slice(0, length)),
  // Cursors of earlier releases: a row id, small, just above PostgreSQL's bigint, or far above it.
  fc
    .oneof(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 2n ** 63n - 2n, max: 10n ** 19n - 1n }))
    .map((id) => Buffer.from(`n:${id}`).toString("base64url")),
  fc.constant(Buffer.from("n:9999999999999999999").toString("base64url")),
  oddText,
  fc.constant(ownCursor.repeat(100)),
);
// Every odd value made, so that a run counts the requests that carried one and cannot pass without them.
const oddValues = new Set<string>();
const remembered = (arbitrary: fc.Arbitrary<string>) =>
  arbitrary.map((value) => {
    oddValues.add(value);
    return value;
  });
const oddId = remembered(oddAgentId);
const oddOrOwnCursor = remembered(oddCursor);
const isOdd = (value: unknown) => typeof value === "string" && oddValues.has(value);
/** The values of a JSON object's fields; none when the text is not one. */
function fieldsOf(json: string | null): unknown[] {
  try {
    const value: unknown = JSON.parse(json ?? "");
    return value !== null && typeof value === "object" ? Object.values(value) : [];
  } catch {
    return [];
  }
}

/** Mostly `often`, sometimes anything else: the odd values above must reach the code that reads them. */
const mostly = <Value>(often: fc.Arbitrary<Value>, ...rest: fc.Arbitrary<Value>[]) =>
  fc.oneof({ arbitrary: often, weight: 3 }, ...rest);

const LEAKS = /prisma|postgres|\bselect\b.*\bfrom\b|\binsert into\b|\bat .+:\d+:\d+|stack|node_modules/i;
const headerText = fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\x20-\x7e]/g, ""));

describe("random REST requests", () => {
  it("never answer 5xx, always JSON, never internals", async () => {
    let oddRequests = 0;
    const request = fc.record({
      method: mostly(fc.constantFrom("GET", "POST", "DELETE"), fc.constantFrom("PUT", "PATCH", "OPTIONS")),
      path: mostly(
        fc.constant("/api/agent-block-list"),
        fc.constantFrom("/api/organizations", "/api/nothing-here"),
      ),
      query: fc.oneof(
        // The caller's own uid most of the time: only then does the agent id get looked at.
        fc.record(
          {
            uid: mostly(fc.constant("self"), fc.string({ maxLength: 30 }), oddText),
            agentId: mostly(oddId, fc.constant("own"), fc.string({ maxLength: 30 })),
            limit: fc.constantFrom("1", "10000", "0", "-1", "1e3", "ten"),
            cursor: mostly(oddOrOwnCursor, fc.string({ maxLength: 30 }), fc.constant("bjox")),
            x: fc.string({ maxLength: 30 }),
          },
          { requiredKeys: ["uid", "agentId"] },
        ),
        fc.dictionary(
          fc.constantFrom("uid", "agentId", "limit", "cursor", "x"),
          fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("1", "10000", "0", "-1", "1e3", "bjox")),
        ),
      ),
      key: mostly(fc.constant("valid"), fc.constantFrom("read-only", "none", "garbage")),
      contentType: fc.option(
        mostly(
          fc.constantFrom("application/json", "application/json; charset=utf-8"),
          fc.constant("text/plain"),
          headerText,
        ),
      ),
      body: fc.option(
        mostly(
          fc
            .record({
              uid: mostly(fc.constant("self"), fc.string(), oddText),
              agentId: mostly(oddId, fc.constant("own"), fc.string()),
              numbers: mostly(
                fc.array(fc.oneof(fc.string(), fc.constant("+14155552671")), { minLength: 1 }),
                fc.jsonValue(),
              ),
            })
            .map((body) =>
              JSON.stringify({
                ...body,
                uid: body.uid === "self" ? alice.uid : body.uid,
                agentId: body.agentId === "own" ? alice.agentId : body.agentId,
              }),
            ),
          fc.string({ maxLength: 200 }),
          fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
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
        const ownIds: Record<string, string> = { self: alice.uid, own: alice.agentId };
        for (const [name, value] of Object.entries(input.query))
          url.searchParams.set(name, ownIds[value] ?? value);
        if ([...Object.values(input.query), ...fieldsOf(input.body)].some(isOdd)) oddRequests++;
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
    expect(oddRequests).toBeGreaterThan(RUNS / 4);
    console.info(
      `fuzz: ${RUNS} random REST requests (${oddRequests} with an impossible id or a cursor to judge), no 5xx, all JSON, no internals`,
    );
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
    const input = fc.oneof(fc.jsonValue(), {
      weight: 3,
      arbitrary: fc.record({
        agentId: mostly(oddId, fc.constant("own"), fc.string({ maxLength: 30 })),
        numbers: fc.oneof(
          fc.array(fc.oneof(fc.string(), fc.constant("+14155552671")), { maxLength: 20 }),
          fc.jsonValue(),
        ),
        number: fc.oneof(fc.string(), fc.constant("+1 415 555 2671")),
        // Mostly a valid page size, so that the cursor gets read.
        limit: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 3 }, fc.integer(), fc.string()),
        cursor: mostly(oddOrOwnCursor, fc.string({ maxLength: 20 })),
        search: fc.string({ maxLength: 20 }),
        apiKey: fc.oneof(fc.string(), fc.constant("valid")),
      }),
    });
    const blockListProcedures = procedures.filter((name) => name.startsWith("blockList."));
    const request = fc.record({
      method: mostly(fc.constantFrom("GET", "POST"), fc.constantFrom("PUT", "DELETE", "HEAD")),
      procedures: fc.array(mostly(fc.constantFrom(...blockListProcedures), fc.constantFrom(...procedures)), {
        minLength: 1,
        maxLength: 3,
      }),
      batch: fc.boolean(),
      input,
      rawBody: mostly(fc.constant(null), fc.string({ maxLength: 200 })),
      credentials: mostly(
        fc.constant("key"),
        fc.constantFrom("read-only key", "cookie", "key in cookie", "garbage", "none"),
      ),
      contentType: fc.option(
        mostly(
          fc.constant("application/json"),
          fc.constantFrom("text/plain", "multipart/form-data", "application/octet-stream"),
          headerText,
        ),
      ),
      site: fc.option(fc.constantFrom("same-origin", "cross-site", "same-site", "none")),
    });

    let oddRequests = 0;
    await fc.assert(
      fc.asyncProperty(request, async (sent) => {
        if (fieldsOf(JSON.stringify(sent.input ?? null)).some(isOdd)) oddRequests++;
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
    expect(oddRequests).toBeGreaterThan(RUNS / 4);
    console.info(
      `fuzz: ${RUNS} random tRPC requests (batches, methods, content types, credentials; ${oddRequests} with an impossible id or a cursor to judge), no 5xx, all JSON, no internals`,
    );
  });
});
