// /api/block-list-entries and /api/block-list-check over real HTTP against the built server: every 400, 401,
// 404, 405, 413 and 415 of SPEC-ENTRIES, cross-tenant probes answered exactly like missing ids, the REST check
// against tRPC's, and what a write costs of the key's budget.
import { createTenant } from "@blocklist/api/testing";
import { EntryRemovalFailureReason, ErrorMessage, MAX_BODY_BYTES, SUCCESS_MESSAGE } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { type CallOptions, call } from "./http";
import { serverForFile } from "./server";
import { awayFromWindowEnd } from "./windows";

const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

const ENTRIES = "/api/block-list-entries";
const CHECK = "/api/block-list-check";
const invalidKey = { status: 401, body: { error: ErrorMessage.invalidKey } };
const forbidden = { status: 401, body: { error: ErrorMessage.insufficientPermissions } };
const entryNotFound = { status: 404, body: { error: EntryRemovalFailureReason.notFound } };

const withQuery = (path: string, query: Record<string, string>) => `${path}?${new URLSearchParams(query)}`;
async function answer(method: string, path: string, options: CallOptions = {}) {
  const { status, headers, body } = await call(server.url, method, path, { key: alice.apiKey, ...options });
  return { status, body, allow: headers.get("allow") };
}
const outcome = async (method: string, path: string, options?: CallOptions) => {
  const { status, body } = await answer(method, path, options);
  return { status, body };
};
const issue = (path: string, message: unknown = expect.any(String)) => ({ path, message });
const badQuery = (...issues: unknown[]) => ({
  status: 400,
  body: { error: ErrorMessage.invalidQuery, issues },
});
const badBody = (...issues: unknown[]) => ({
  status: 400,
  body: { error: ErrorMessage.invalidBody, issues },
});

async function createdEntry(
  list: Record<string, string>,
  entry: Record<string, unknown>,
  key = alice.apiKey,
) {
  const { status, body } = await answer("POST", ENTRIES, {
    key,
    body: { uid: key === bob.apiKey ? bob.uid : alice.uid, ...list, entries: [entry] },
  });
  const [made] = (body as { created: { id: string }[] }).created;
  if (status !== 200 || !made) throw new Error(`not created: ${status} ${JSON.stringify(body)}`);
  return made;
}

describe("401 first", () => {
  it("refuses a missing or unknown key on every method of both routes, before looking at anything else", async () => {
    for (const key of [undefined, "", "bl_unknownunknownunknownunknown1234"]) {
      for (const method of ["GET", "POST", "PATCH", "DELETE"]) {
        const options = {
          ...(key === undefined ? {} : { key }),
          ...(method === "GET" ? {} : { rawBody: "{" }),
        };
        const sent = await call(server.url, method, ENTRIES, options);
        expect({ status: sent.status, body: sent.body }, `${method} ${key}`).toEqual(invalidKey);
      }
      const check = await call(server.url, "GET", CHECK, key === undefined ? {} : { key });
      expect({ status: check.status, body: check.body }).toEqual(invalidKey);
    }
  });
});

describe("GET /api/block-list-entries: 400", () => {
  // Ids that name nothing: the 400 comes before they are looked at.
  const L = { uid: "usr_x", agentId: "agt_x" };
  it.each<[string, Record<string, string>, unknown[]]>([
    ["uid missing", { agentId: "agt_x" }, [issue("uid")]],
    ["neither agentId nor orgId", { uid: "usr_x" }, [issue("", "give exactly one of agentId and orgId")]],
    [
      "both agentId and orgId",
      { uid: "usr_x", agentId: "agt_x", orgId: "org_x" },
      [issue("", "give exactly one of agentId and orgId")],
    ],
    ["agentId empty", { uid: "usr_x", agentId: "" }, [issue("agentId")]],
    ["orgId empty", { uid: "usr_x", orgId: "" }, [issue("orgId")]],
    ["limit zero", { ...L, limit: "0" }, [issue("limit")]],
    ["limit over 1,000", { ...L, limit: "1001" }, [issue("limit")]],
    ["limit not a number", { ...L, limit: "ten" }, [issue("limit")]],
    ["a forged cursor", { ...L, cursor: "bm90LWEtY3Vyc29y" }, [issue("cursor")]],
    [
      "an unknown match",
      { ...L, match: "regex" },
      [issue("match", "match must be one of number, prefix, withheld, any")],
    ],
    ["an unknown action", { ...L, action: "deny" }, [issue("action", "action must be one of block, allow")]],
    ["an unknown direction", { ...L, direction: "sideways" }, [issue("direction")]],
    ["an unknown reason", { ...L, reason: "rude" }, [issue("reason")]],
    ["an unknown include", { ...L, include: "removed" }, [issue("include", 'include must be "expired"')]],
  ])("when %s, before permissions", async (_label, query, issues) => {
    for (const key of [alice.apiKey, bob.readOnlyKey]) {
      expect(await outcome("GET", withQuery(ENTRIES, query), { key })).toEqual(badQuery(...issues));
    }
  });
});

describe("POST, PATCH and DELETE: 400", () => {
  const post = () => ({ uid: alice.uid, agentId: alice.agentId, entries: [{ match: "withheld" }] });
  it.each<[string, unknown, unknown[]]>([
    ["an array", [], [issue("")]],
    ["null", null, [issue("")]],
    ["missing uid", { agentId: alice.agentId, entries: [{ match: "any" }] }, [issue("uid")]],
    ["missing entries", { uid: alice.uid, agentId: alice.agentId }, [issue("entries")]],
    ["entries not an array", { ...post(), entries: { match: "any" } }, [issue("entries")]],
    ["entries empty", { ...post(), entries: [] }, [issue("entries")]],
    [
      "over 10,000 entries",
      { ...post(), entries: Array.from({ length: 10_001 }, () => ({ match: "any" })) },
      [issue("entries")],
    ],
    [
      "an entry not an object",
      { ...post(), entries: [{ match: "any" }, "+14155552671"] },
      [issue("entries.1")],
    ],
    [
      "both agentId and orgId",
      { ...post(), orgId: alice.orgId },
      [issue("", "give exactly one of agentId and orgId")],
    ],
  ])("POST answers 400 for %s", async (_label, body, issues) => {
    expect(await outcome("POST", ENTRIES, { body })).toEqual(badBody(...issues));
  });

  it.each<[string, Record<string, unknown>, unknown[]]>([
    ["no id", { note: "x" }, [issue("id", "id is required")]],
    [
      "both expiries",
      { id: "ent_x", expiresAt: "2030-01-01T00:00:00Z", expiresIn: "7d" },
      [issue("expiresIn", "give at most one of expiresAt and expiresIn")],
    ],
    ["an invalid expiry", { id: "ent_x", expiresIn: "7 days" }, [issue("expiresIn")]],
    ["an expiry in the past", { id: "ent_x", expiresAt: "2001-01-01T00:00:00Z" }, [issue("expiresAt")]],
    ["an unknown reason", { id: "ent_x", reason: "rude" }, [issue("reason")]],
    ["a note over 500", { id: "ent_x", note: "x".repeat(501) }, [issue("note")]],
  ])("PATCH answers 400 for %s, even for a read-only key", async (_label, change, issues) => {
    for (const key of [alice.apiKey, alice.readOnlyKey]) {
      expect(await outcome("PATCH", ENTRIES, { key, body: { uid: alice.uid, ...change } })).toEqual(
        badBody(...issues),
      );
    }
  });

  it.each<[string, unknown, unknown[]]>([
    ["missing ids", { uid: "usr_x" }, [issue("ids")]],
    ["ids empty", { uid: "usr_x", ids: [] }, [issue("ids")]],
    ["an id not a string", { uid: "usr_x", ids: ["ent_x", 7] }, [issue("ids.1")]],
    ["over 10,000 ids", { uid: "usr_x", ids: Array.from({ length: 10_001 }, () => "ent_x") }, [issue("ids")]],
  ])("DELETE answers 400 for %s", async (_label, body, issues) => {
    expect(await outcome("DELETE", ENTRIES, { body })).toEqual(badBody(...issues));
  });

  it("answers a body that is not JSON with 400, a foreign type with 415, an oversized one with 413", async () => {
    for (const method of ["POST", "PATCH", "DELETE"]) {
      expect(await outcome(method, ENTRIES, { rawBody: "{nope" })).toEqual({
        status: 400,
        body: { error: ErrorMessage.invalidJson },
      });
      const asText = { rawBody: JSON.stringify(post()), headers: { "Content-Type": "text/plain" } };
      expect(await outcome(method, ENTRIES, asText)).toEqual({
        status: 415,
        // A POST may also be a CSV file (csv.test.ts), and its 415 says so.
        body: {
          error:
            method === "POST" ? ErrorMessage.unsupportedEntriesMediaType : ErrorMessage.unsupportedMediaType,
        },
      });
      const json = JSON.stringify(post());
      expect(
        await outcome(method, ENTRIES, { rawBody: json + " ".repeat(MAX_BODY_BYTES + 1 - json.length) }),
      ).toEqual({
        status: 413,
        body: { error: ErrorMessage.bodyTooLarge },
      });
    }
  });

  it("answers 405 with Allow to other methods", async () => {
    for (const [path, method, allow] of [
      [ENTRIES, "PUT", "GET, POST, PATCH, DELETE"],
      [CHECK, "POST", "GET"],
      [CHECK, "DELETE", "GET"],
    ] as const) {
      expect(await answer(method, path, { body: {} })).toEqual({
        status: 405,
        allow,
        body: { error: ErrorMessage.methodNotAllowed },
      });
    }
  });
});

describe("cross-tenant probes answer exactly like missing ids", () => {
  it("GET and POST: a foreign organization or agent is a missing one", async () => {
    const probes: [Record<string, string>, Record<string, string>][] = [
      [{ orgId: bob.orgId }, { orgId: "org_00000000000missing00" }],
      [{ agentId: bob.agentId }, { agentId: "agt_00000000000missing00" }],
      [{ orgId: "org_not an id" }, { orgId: "org_00000000000missing00" }],
    ];
    for (const [foreign, missing] of probes) {
      for (const list of [foreign, missing]) {
        expect(await outcome("GET", withQuery(ENTRIES, { uid: alice.uid, ...list }))).toEqual(forbidden);
        const body = { uid: alice.uid, ...list, entries: [{ match: "withheld" }] };
        expect(await outcome("POST", ENTRIES, { body })).toEqual(forbidden);
      }
      const check = withQuery(CHECK, { uid: alice.uid, agentId: bob.agentId, number: "+14155552671" });
      expect(await outcome("GET", check)).toEqual(forbidden);
    }
    expect(await db.entry.count({ where: { orgId: bob.orgId } })).toBe(0);
  });

  it("PATCH and DELETE: a foreign entry is a missing one, and stays as it was", async () => {
    const foreign = await createdEntry({ orgId: bob.orgId }, { match: "any", note: "bob's" }, bob.apiKey);
    for (const id of [foreign.id, "ent_00000000000missing00", "not-an-entry", `ent_${"x".repeat(5000)}`]) {
      expect(await outcome("PATCH", ENTRIES, { body: { uid: alice.uid, id, note: "mine" } }), id).toEqual(
        entryNotFound,
      );
      expect(await outcome("DELETE", ENTRIES, { body: { uid: alice.uid, ids: [id] } })).toEqual({
        status: 200,
        body: {
          message: SUCCESS_MESSAGE,
          removed: [],
          failed: [{ id, reason: EntryRemovalFailureReason.notFound }],
        },
      });
    }
    expect(await db.entry.findUniqueOrThrow({ where: { id: foreign.id } })).toMatchObject({ note: "bob's" });
  });

  it("refuses writes with a read-only key or another user's uid", async () => {
    const mine = await createdEntry({ agentId: alice.agentId }, { match: "prefix", value: "+1900" });
    for (const [key, uid] of [
      [alice.readOnlyKey, alice.uid],
      [alice.apiKey, bob.uid],
    ] as const) {
      expect(
        await outcome("POST", ENTRIES, {
          key,
          body: { uid, orgId: alice.orgId, entries: [{ match: "any" }] },
        }),
      ).toEqual(forbidden);
      expect(await outcome("PATCH", ENTRIES, { key, body: { uid, id: mine.id, note: "x" } })).toEqual(
        forbidden,
      );
      expect(await outcome("DELETE", ENTRIES, { key, body: { uid, ids: [mine.id] } })).toEqual(forbidden);
    }
    expect(await db.entry.findUniqueOrThrow({ where: { id: mine.id } })).toMatchObject({ note: null });
  });
});

describe("GET /api/block-list-check", () => {
  it("answers as tRPC blockList.check, with an absent or empty number as a withheld caller", async () => {
    const tenant = await createTenant(db, "checker");
    const list = { uid: tenant.uid, agentId: tenant.agentId };
    await call(server.url, "POST", ENTRIES, {
      key: tenant.apiKey,
      body: {
        ...list,
        entries: [{ match: "withheld" }, { match: "prefix", value: "+1900", direction: "both" }],
      },
    });
    const trpc = async (input: Record<string, string>) => {
      const path = `/api/trpc/blockList.check?input=${encodeURIComponent(JSON.stringify(input))}`;
      const sent = await call(server.url, "GET", path, { key: tenant.readOnlyKey });
      return { status: sent.status, body: (sent.body as { result: { data: unknown } }).result.data };
    };
    const rest = (query: Record<string, string>) =>
      outcome("GET", withQuery(CHECK, { ...list, ...query }), { key: tenant.readOnlyKey });
    const queries: Record<string, string>[] = [
      { number: "+1 900 555 0100" },
      { number: "+19005550100", direction: "outbound" },
      { number: "+14155552671" },
      { number: "anonymous" },
      { number: "" },
    ];
    for (const query of queries) {
      const fromRest = await rest(query);
      expect(fromRest.status).toBe(200);
      expect(fromRest, JSON.stringify(query)).toEqual(await trpc({ agentId: tenant.agentId, ...query }));
    }
    const withheld = await rest({});
    expect(withheld).toEqual(await trpc({ agentId: tenant.agentId, number: "" }));
    expect(withheld.body).toMatchObject({ blocked: true, e164: null, entry: { match: "withheld" } });
  });

  it.each<[string, Record<string, string>, unknown[]]>([
    ["uid missing", { agentId: "agt_x" }, [issue("uid")]],
    ["agentId missing", { uid: "usr_x" }, [issue("agentId")]],
    ["an unknown direction", { uid: "usr_x", agentId: "agt_x", direction: "both" }, [issue("direction")]],
    [
      "number given twice",
      { uid: "usr_x", agentId: "agt_x", number: "+1" },
      [issue("number", "number must be a string")],
    ],
  ])("answers 400 when %s", async (_label, query, issues) => {
    const twice = query.number ? `&number=${encodeURIComponent(query.number)}` : "";
    expect(await outcome("GET", withQuery(CHECK, query) + twice)).toEqual(badQuery(...issues));
  });
});

describe("the key's budget", () => {
  it("charges a POST or DELETE of entries one unit plus one per started hundred", async () => {
    await awayFromWindowEnd(60, 10);
    const tenant = await createTenant(db, "budget");
    const remaining = async (method: string, path: string, body?: unknown) => {
      const sent = await call(server.url, method, path, { key: tenant.apiKey, ...(body ? { body } : {}) });
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      return { remaining: Number(sent.headers.get("ratelimit-remaining")), body: sent.body };
    };
    const start = (await remaining("GET", "/api/organizations")).remaining;
    const entries = Array.from({ length: 250 }, (_, i) => ({
      match: "number",
      value: `+1415555${1000 + i}`,
    }));
    const posted = await remaining("POST", ENTRIES, { uid: tenant.uid, agentId: tenant.agentId, entries });
    const ids = (posted.body as { created: { id: string }[] }).created.map((entry) => entry.id);
    const removed = await remaining("DELETE", ENTRIES, { uid: tenant.uid, ids: ids.slice(0, 101) });
    const patched = await remaining("PATCH", ENTRIES, { uid: tenant.uid, id: ids[200], note: "one" });
    expect([
      start - posted.remaining,
      posted.remaining - removed.remaining,
      removed.remaining - patched.remaining,
    ]).toEqual([4, 3, 1]);
  });
});
