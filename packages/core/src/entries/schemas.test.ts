import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { toIssues } from "../parse";
import { checkInputSchema } from "../procedures";
import { blockListMutationSchema } from "../schemas";
import { anyPhoneInput } from "../test-arbitraries";
import {
  blockListAdditionSchema,
  blockListCheckQuerySchema,
  entriesCreateBodySchema,
  entriesCreateInputSchema,
  entriesListInputSchema,
  entriesQuerySchema,
  entriesRemoveBodySchema,
  entriesRemoveInputSchema,
  entriesUpdateBodySchema,
  entriesUpdateInputSchema,
} from "./schemas";

const uid = "usr_1";
const agentId = "agt_1";
const orgId = "org_1";

function issuesOf(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  return result.success ? [] : toIssues(result.error);
}

const ONE_LIST = [{ path: "", message: "give exactly one of agentId and orgId" }];
const BOTH_EXPIRIES = [{ path: "expiresIn", message: "give at most one of expiresAt and expiresIn" }];

describe("entriesQuerySchema", () => {
  it("names a list, 100 entries a page by default", () => {
    expect(entriesQuerySchema.parse({ uid, agentId })).toEqual({ uid, agentId, limit: 100 });
    expect(entriesQuerySchema.parse({ uid, orgId, other: "x" })).toEqual({ uid, orgId, limit: 100 });
  });

  it("reads every filter", () => {
    const query = {
      uid,
      orgId,
      limit: "1000",
      cursor: "c1",
      match: "prefix",
      action: "allow",
      direction: "both",
      reason: "do_not_call",
      search: "1 900",
      include: "expired",
    };
    expect(entriesQuerySchema.parse(query)).toEqual({ ...query, limit: 1000 });
  });

  it.each([
    [{ uid }, ONE_LIST],
    [{ uid, agentId, orgId }, ONE_LIST],
    [{ agentId }, [{ path: "uid", message: "uid is required" }]],
    [{ uid, orgId: "" }, [{ path: "orgId", message: "orgId must not be empty" }]],
    [
      { uid, agentId, limit: "0" },
      [{ path: "limit", message: "limit must be a whole number from 1 to 1000" }],
    ],
    [
      { uid, agentId, limit: "1001" },
      [{ path: "limit", message: "limit must be a whole number from 1 to 1000" }],
    ],
    [
      { uid, agentId, limit: "1.5" },
      [{ path: "limit", message: "limit must be a whole number from 1 to 1000" }],
    ],
    [{ uid, agentId, cursor: "" }, [{ path: "cursor", message: "cursor must not be empty" }]],
    [
      { uid, agentId, match: "range" },
      [{ path: "match", message: "match must be one of number, prefix, withheld, any" }],
    ],
    [{ uid, agentId, action: "deny" }, [{ path: "action", message: "action must be one of block, allow" }]],
    [
      { uid, agentId, direction: "in" },
      [{ path: "direction", message: "direction must be one of inbound, outbound, both" }],
    ],
    [
      { uid, agentId, reason: "spite" },
      [{ path: "reason", message: "reason must be one of spam, abuse, fraud, do_not_call, other" }],
    ],
    [
      { uid, agentId, search: "1".repeat(65) },
      [{ path: "search", message: "search must be at most 64 characters" }],
    ],
    [{ uid, agentId, include: "all" }, [{ path: "include", message: 'include must be "expired"' }]],
  ])("refuses %j", (query, issues) => {
    expect(issuesOf(entriesQuerySchema, query)).toEqual(issues);
  });
});

describe("entriesListInputSchema", () => {
  it("takes limit as a number, without uid", () => {
    expect(entriesListInputSchema.parse({ agentId })).toEqual({ agentId, limit: 100 });
    expect(entriesListInputSchema.parse({ orgId, limit: 1000, match: "any" })).toEqual({
      orgId,
      limit: 1000,
      match: "any",
    });
    expect(issuesOf(entriesListInputSchema, { agentId, limit: 1001 })).toEqual([
      { path: "limit", message: "limit must be a whole number from 1 to 1000" },
    ]);
    expect(issuesOf(entriesListInputSchema, {})).toEqual(ONE_LIST);
  });
});

describe("entriesCreateBodySchema", () => {
  const entries = [
    { match: "number", value: "+14155552671" },
    { match: "withheld", junk: 1 },
  ];

  it("takes 1 to 10,000 objects, judged one by one later", () => {
    expect(entriesCreateBodySchema.parse({ uid, agentId, entries })).toEqual({ uid, agentId, entries });
    expect(entriesCreateInputSchema.parse({ orgId, entries })).toEqual({ orgId, entries });
    const most = Array.from({ length: 10_000 }, () => ({ match: "any" }));
    expect(entriesCreateBodySchema.parse({ uid, orgId, entries: most }).entries).toHaveLength(10_000);
  });

  it.each([
    [[], [{ path: "", message: "Body must be a JSON object" }]],
    [null, [{ path: "", message: "Body must be a JSON object" }]],
    [
      {},
      [
        { path: "uid", message: "uid is required" },
        { path: "entries", message: "entries is required" },
      ],
    ],
    [{ uid, entries }, ONE_LIST],
    [{ uid, agentId, orgId, entries }, ONE_LIST],
    [{ uid, agentId, entries: {} }, [{ path: "entries", message: "entries must be an array of objects" }]],
    [{ uid, agentId, entries: [] }, [{ path: "entries", message: "entries must contain at least 1 entry" }]],
    [
      { uid, agentId, entries: Array.from({ length: 10_001 }, () => ({ match: "any" })) },
      [{ path: "entries", message: "entries must contain at most 10000 entries" }],
    ],
    [
      { uid, agentId, entries: [{ match: "any" }, "+14155552671", [], null] },
      [
        { path: "entries.1", message: "each entry must be an object" },
        { path: "entries.2", message: "each entry must be an object" },
        { path: "entries.3", message: "each entry must be an object" },
      ],
    ],
  ])("refuses %j", (body, issues) => {
    expect(issuesOf(entriesCreateBodySchema, body)).toEqual(issues);
  });
});

describe("entriesUpdateBodySchema", () => {
  it("takes the fields to change, null clearing one", () => {
    const body = { uid, id: "ent_1", reason: null, note: "called back", expiresIn: "7d", expiresAt: null };
    expect(entriesUpdateBodySchema.parse(body)).toEqual(body);
    expect(entriesUpdateBodySchema.parse({ uid, id: "ent_1", note: "" })).toEqual({
      uid,
      id: "ent_1",
      note: null,
    });
    expect(entriesUpdateInputSchema.parse({ id: "ent_1", reason: "spam" })).toEqual({
      id: "ent_1",
      reason: "spam",
    });
  });

  it.each([
    [{ uid }, [{ path: "id", message: "id is required" }]],
    [{ uid, id: "" }, [{ path: "id", message: "id must not be empty" }]],
    [
      { uid, id: "ent_1", reason: "spite" },
      [{ path: "reason", message: "reason must be one of spam, abuse, fraud, do_not_call, other" }],
    ],
    [
      { uid, id: "ent_1", note: "x".repeat(501) },
      [{ path: "note", message: "note must be at most 500 characters, without NUL or unpaired surrogates" }],
    ],
    [{ uid, id: "ent_1", note: 5 }, [{ path: "note", message: "note must be a string" }]],
    [{ uid, id: "ent_1", expiresIn: 60 }, [{ path: "expiresIn", message: "expiresIn must be a string" }]],
    [{ uid, id: "ent_1", expiresAt: "2030-01-01T00:00:00Z", expiresIn: "7d" }, BOTH_EXPIRIES],
    // What an entry matches, does and faces is removed and created anew, never changed in place.
    [
      { uid, id: "ent_1", match: "prefix", value: "+1900", note: "x" },
      [
        { path: "match", message: "match cannot change: remove the entry and create another" },
        { path: "value", message: "value cannot change: remove the entry and create another" },
      ],
    ],
    [
      { uid, id: "ent_1", action: "allow", direction: null },
      [
        { path: "action", message: "action cannot change: remove the entry and create another" },
        { path: "direction", message: "direction cannot change: remove the entry and create another" },
      ],
    ],
  ])("refuses %j", (body, issues) => {
    expect(issuesOf(entriesUpdateBodySchema, body)).toEqual(issues);
  });
});

describe("entriesRemoveBodySchema", () => {
  it("takes 1 to 10,000 ids", () => {
    expect(entriesRemoveBodySchema.parse({ uid, ids: ["ent_1", "ent_1"] })).toEqual({
      uid,
      ids: ["ent_1", "ent_1"],
    });
    expect(entriesRemoveInputSchema.parse({ ids: ["ent_1"] })).toEqual({ ids: ["ent_1"] });
  });

  it.each([
    [{ uid }, [{ path: "ids", message: "ids is required" }]],
    [{ uid, ids: "ent_1" }, [{ path: "ids", message: "ids must be an array of strings" }]],
    [{ uid, ids: [] }, [{ path: "ids", message: "ids must contain at least 1 entry" }]],
    [
      { uid, ids: Array<string>(10_001).fill("ent_1") },
      [{ path: "ids", message: "ids must contain at most 10000 entries" }],
    ],
    [{ uid, ids: ["ent_1", 2] }, [{ path: "ids.1", message: "each id must be a string" }]],
  ])("refuses %j", (body, issues) => {
    expect(issuesOf(entriesRemoveBodySchema, body)).toEqual(issues);
  });
});

describe("blockListCheckQuerySchema", () => {
  it("takes a withheld caller and asks about inbound calls by default", () => {
    expect(blockListCheckQuerySchema.parse({ uid, agentId })).toEqual({ uid, agentId, direction: "inbound" });
    expect(blockListCheckQuerySchema.parse({ uid, agentId, number: "", direction: "outbound" })).toEqual({
      uid,
      agentId,
      number: "",
      direction: "outbound",
    });
  });

  it("refuses another direction and a missing agent", () => {
    expect(issuesOf(blockListCheckQuerySchema, { uid, direction: "both" })).toEqual([
      { path: "agentId", message: "agentId is required" },
      { path: "direction", message: "direction must be one of inbound, outbound" },
    ]);
  });
});

describe("checkInputSchema", () => {
  it("keeps its shape and asks about inbound calls unless told otherwise", () => {
    expect(checkInputSchema.parse({ agentId, number: "+14155552671" })).toEqual({
      agentId,
      number: "+14155552671",
      direction: "inbound",
    });
    expect(checkInputSchema.parse({ agentId, number: "", direction: "outbound" })).toEqual({
      agentId,
      number: "",
      direction: "outbound",
    });
  });
});

describe("blockListAdditionSchema", () => {
  it("answers exactly as blockListMutationSchema for a body without extras", () => {
    const body = fc.record(
      {
        uid: fc.oneof(fc.constant(uid), fc.anything()),
        agentId: fc.constant(agentId),
        numbers: fc.array(anyPhoneInput, { maxLength: 3 }),
        other: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(body, fc.anything()), (input) => {
        expect(blockListAdditionSchema.safeParse(input)).toEqual(blockListMutationSchema.safeParse(input));
      }),
    );
  });

  it("takes a reason, a note and one expiry", () => {
    const body = { uid, agentId, numbers: ["+14155552671"], reason: "fraud", note: "", expiresIn: "12h" };
    expect(blockListAdditionSchema.parse(body)).toEqual({ ...body, note: null });
  });

  it.each([
    [
      { uid, agentId, numbers: ["+1"], reason: "spite" },
      [{ path: "reason", message: "reason must be one of spam, abuse, fraud, do_not_call, other" }],
    ],
    [
      { uid, agentId, numbers: ["+1"], note: "x".repeat(501) },
      [{ path: "note", message: "note must be at most 500 characters, without NUL or unpaired surrogates" }],
    ],
    [{ uid, agentId, numbers: ["+1"], expiresAt: "2030-01-01T00:00:00Z", expiresIn: "7d" }, BOTH_EXPIRIES],
  ])("refuses %j", (body, issues) => {
    expect(issuesOf(blockListAdditionSchema, body)).toEqual(issues);
  });
});
