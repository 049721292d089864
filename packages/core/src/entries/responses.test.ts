import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { SUCCESS_MESSAGE } from "../messages";
import { toJsonSchema } from "../openapi/jsonSchema";
import type { Decision } from "./decide";
import type { Entry } from "./fields";
import {
  decisionSchema,
  entriesCreateResponseSchema,
  entriesPageSchema,
  entriesRemoveResponseSchema,
  entrySchema,
} from "./responses";
import * as entries from "./schemas";

const entry: Entry = {
  id: "ent_1",
  orgId: "org_1",
  agentId: null,
  match: "prefix",
  value: "+1900",
  action: "block",
  direction: "both",
  reason: "spam",
  note: "robocalls",
  expiresAt: "2027-01-01T00:00:00.000Z",
  createdAt: "2026-12-01T12:00:00.000Z",
  createdBy: { userId: "usr_1", keyPrefix: "bl_4jVx", via: "rest" },
  hits: 3,
  lastHitAt: null,
};

describe("entry answers", () => {
  it("are the Entry and Decision types", () => {
    expectTypeOf<z.output<typeof entrySchema>>().toEqualTypeOf<Entry>();
    expectTypeOf<z.output<typeof decisionSchema>>().toEqualTypeOf<Decision>();
  });

  it("accept an entry, a page, a create and a removal answer", () => {
    expect(entrySchema.parse(entry)).toEqual(entry);
    const page = { entries: [entry], count: 7, nextCursor: "c1" };
    expect(entriesPageSchema.parse(page)).toEqual(page);
    const created = {
      message: SUCCESS_MESSAGE,
      created: [entry],
      failed: [{ index: 1, entry: { match: "prefix", value: "+1" }, reason: "Prefix too broad" }],
    };
    expect(entriesCreateResponseSchema.parse(created)).toEqual(created);
    const removed = {
      message: SUCCESS_MESSAGE,
      removed: ["ent_1"],
      failed: [{ id: "ent_2", reason: "Entry not found" }],
    };
    expect(entriesRemoveResponseSchema.parse(removed)).toEqual(removed);
  });

  it("refuse a local time, a fractional count and a reason of another route", () => {
    expect(entrySchema.safeParse({ ...entry, createdAt: "2026-12-01T12:00:00" }).success).toBe(false);
    expect(entrySchema.safeParse({ ...entry, hits: 1.5 }).success).toBe(false);
    const failed = [{ index: 0, entry: {}, reason: "Number already in block list" }];
    expect(
      entriesCreateResponseSchema.safeParse({ message: SUCCESS_MESSAGE, created: [], failed }).success,
    ).toBe(false);
  });

  it("accept a decision with and without an entry", () => {
    const { expiresAt: _, createdAt: _c, createdBy: _b, hits: _h, lastHitAt: _l, ...deciding } = entry;
    const blocked = { blocked: true, e164: "+19005550100", entry: deciding };
    expect(decisionSchema.parse(blocked)).toEqual(blocked);
    expect(decisionSchema.parse({ blocked: false, e164: null, entry: null })).toEqual({
      blocked: false,
      e164: null,
      entry: null,
    });
  });
});

describe("the entries' schemas in OpenAPI", () => {
  it("can all be written as JSON Schema", () => {
    const requests = [
      entries.entriesQuerySchema,
      entries.entriesCreateBodySchema,
      entries.entryInputSchema,
      entries.entriesUpdateBodySchema,
      entries.entriesRemoveBodySchema,
      entries.blockListCheckQuerySchema,
      entries.blockListAdditionSchema,
    ];
    for (const schema of requests) expect(toJsonSchema(schema, "input")).toMatchObject({ type: "object" });
    const answers = [
      entrySchema,
      decisionSchema,
      entriesPageSchema,
      entriesCreateResponseSchema,
      entriesRemoveResponseSchema,
    ];
    for (const schema of answers) expect(toJsonSchema(schema, "output")).toMatchObject({ type: "object" });
  });
});
