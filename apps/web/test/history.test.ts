// GET /api/block-list-entries/history over real HTTP against the built server: the events every REST change
// leaves (published and entries routes), paging newest first, and the 400, 401 and 405 of the entries GET.
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage, INVALID_CURSOR_ISSUE } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { type CallOptions, call } from "./http";
import { serverForFile } from "./server";

const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");
const { prefix: alicePrefix } = await db.apiKey.findUniqueOrThrow({
  where: { id: alice.caller.keyId },
  select: { prefix: true },
});

const HISTORY = "/api/block-list-entries/history";
const withQuery = (path: string, query: Record<string, string>) => `${path}?${new URLSearchParams(query)}`;
async function outcome(method: string, path: string, options: CallOptions = {}) {
  const { status, body } = await call(server.url, method, path, { key: alice.apiKey, ...options });
  return { status, body };
}
const forbidden = { status: 401, body: { error: ErrorMessage.insufficientPermissions } };
const badQuery = (path: string, message: string) => ({
  status: 400,
  body: { error: ErrorMessage.invalidQuery, issues: [{ path, message }] },
});
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const EVENT_ID = expect.stringMatching(/^evt_[0-9A-Za-z]{20}$/);

describe("GET /api/block-list-entries/history", () => {
  it("answers every REST change of the list, newest first, with the entry and who made it", async () => {
    const list = { uid: alice.uid, agentId: alice.agentId };
    expect(
      (await outcome("POST", "/api/agent-block-list", { body: { ...list, numbers: ["+14155552671"] } }))
        .status,
    ).toBe(200);
    const created = await outcome("POST", "/api/block-list-entries", {
      body: { ...list, entries: [{ match: "withheld" }] },
    });
    const withheld = (created.body as { created: { id: string }[] }).created[0];
    const changed = await outcome("PATCH", "/api/block-list-entries", {
      body: { uid: alice.uid, id: withheld?.id, note: "Night calls" },
    });
    expect(
      (await outcome("DELETE", "/api/block-list-entries", { body: { uid: alice.uid, ids: [withheld?.id] } }))
        .status,
    ).toBe(200);
    expect(
      (await outcome("DELETE", "/api/agent-block-list", { body: { ...list, numbers: ["+14155552671"] } }))
        .status,
    ).toBe(200);

    const rest = { userId: alice.uid, keyPrefix: alicePrefix, via: "rest" };
    const numberEntry = {
      id: expect.stringMatching(/^ent_/),
      orgId: alice.orgId,
      agentId: alice.agentId,
      match: "number",
      value: "+14155552671",
      action: "block",
      direction: "inbound",
      reason: null,
      note: null,
      expiresAt: null,
      createdAt: ISO,
      createdBy: rest,
      hits: 0,
      lastHitAt: null,
    };
    const history = await outcome("GET", withQuery(HISTORY, list));
    expect(history).toEqual({
      status: 200,
      body: {
        events: [
          { id: EVENT_ID, at: ISO, type: "removed", entry: numberEntry, by: rest },
          { id: EVENT_ID, at: ISO, type: "removed", entry: changed.body, by: rest },
          { id: EVENT_ID, at: ISO, type: "updated", entry: changed.body, by: rest },
          { id: EVENT_ID, at: ISO, type: "created", entry: withheld, by: rest },
          { id: EVENT_ID, at: ISO, type: "created", entry: numberEntry, by: rest },
        ],
      },
    });
    // A read-only key may read it.
    expect(await outcome("GET", withQuery(HISTORY, list), { key: alice.readOnlyKey })).toEqual(history);

    // Paged, newest first: the pages together are the whole history.
    const first = await outcome("GET", withQuery(HISTORY, { ...list, limit: "3" }));
    const { events: firstEvents, nextCursor } = first.body as { events: unknown[]; nextCursor: string };
    const second = await outcome("GET", withQuery(HISTORY, { ...list, limit: "3", cursor: nextCursor }));
    expect([...firstEvents, ...(second.body as { events: unknown[] }).events]).toEqual(
      (history.body as { events: unknown[] }).events,
    );
    expect(second.body).not.toHaveProperty("nextCursor");
    // That cursor is of this list's history only: not of another list, nor of the list's entries.
    expect(
      await outcome("GET", withQuery(HISTORY, { uid: alice.uid, orgId: alice.orgId, cursor: nextCursor })),
    ).toEqual({ status: 400, body: { error: ErrorMessage.invalidQuery, issues: [INVALID_CURSOR_ISSUE] } });
    expect(
      await outcome("GET", withQuery("/api/block-list-entries", { ...list, cursor: nextCursor })),
    ).toEqual({
      status: 400,
      body: { error: ErrorMessage.invalidQuery, issues: [INVALID_CURSOR_ISSUE] },
    });
  });

  it("refuses a bad limit, a bad cursor and not exactly one list with 400", async () => {
    const list = { uid: alice.uid, agentId: alice.agentId };
    const limitRule = "limit must be a whole number from 1 to 1000";
    for (const limit of ["0", "1001", "ten", "-1"]) {
      expect(await outcome("GET", withQuery(HISTORY, { ...list, limit }))).toEqual(
        badQuery("limit", limitRule),
      );
    }
    expect(await outcome("GET", withQuery(HISTORY, { ...list, cursor: "abc" }))).toEqual({
      status: 400,
      body: { error: ErrorMessage.invalidQuery, issues: [INVALID_CURSOR_ISSUE] },
    });
    expect(await outcome("GET", withQuery(HISTORY, { ...list, orgId: alice.orgId }))).toEqual(
      badQuery("", "give exactly one of agentId and orgId"),
    );
  });

  it("answers another customer's list exactly like a missing one, and a missing key 401", async () => {
    for (const query of [
      { agentId: bob.agentId } as Record<string, string>,
      { orgId: bob.orgId },
      { agentId: "agt_5Rb1WcE9xNs2LmQ7yVoP" },
      { orgId: "org_3Hn8QfYe1JvU6aTk0GzM" },
    ]) {
      expect(await outcome("GET", withQuery(HISTORY, { uid: alice.uid, ...query }))).toEqual(forbidden);
    }
    expect(await outcome("GET", withQuery(HISTORY, { uid: bob.uid, agentId: bob.agentId }))).toEqual(
      forbidden,
    );
    expect(
      await call(server.url, "GET", withQuery(HISTORY, { uid: alice.uid, agentId: alice.agentId })),
    ).toMatchObject({ status: 401, body: { error: ErrorMessage.invalidKey } });
  });

  it("answers other methods 405 with Allow: GET", async () => {
    const { status, headers, body } = await call(server.url, "POST", HISTORY, {
      key: alice.apiKey,
      body: {},
    });
    expect({ status, allow: headers.get("allow"), body }).toEqual({
      status: 405,
      allow: "GET",
      body: { error: ErrorMessage.methodNotAllowed },
    });
  });
});
