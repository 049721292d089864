// History through every interface of the service, against PostgreSQL: each change leaves the right event with the
// right `by` (REST, tRPC by key, the UI by session, an expiry by the sweeper), pages go newest first with sealed
// cursors, a foreign list is refused like a missing one, and the purger takes only what is past the retention.
import { type EntryEvent, ErrorMessage, INVALID_CURSOR_ISSUE } from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it, onTestFinished } from "vitest";
import { addBlockedNumbers, removeBlockedNumbers } from "../blockList";
import { InvalidRequestError, PermissionError } from "../errors";
import { createTenant, type Tenant, trpcTestContext } from "../testing/fixtures";
import { createCaller } from "../trpc/root";
import { createEntries, removeEntries, updateEntry } from "./change";
import { startExpirySweeper } from "./expirySweeper";
import { listHistory } from "./history";
import { startHistoryPurger } from "./historyPurger";
import { freshAgent, keyPrefixOf } from "./testKit";

const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");
const alicePrefix = await keyPrefixOf(db, alice);
const quietLogger = { warn: () => {}, info: () => {} };

const by = (tenant: Tenant, keyPrefix: string, via: "rest" | "trpc" | "ui" | "cli") => ({
  userId: tenant.uid,
  keyPrefix,
  via,
});

/** The agent's whole history, newest first, as type, value and who. */
async function historyOf(agentId: string) {
  const { events } = await listHistory(db, alice.caller, { uid: alice.uid, agentId, limit: 1_000 });
  return events.map(({ type, entry, by }) => ({ type, value: entry.value, by }));
}

/** Signs in through tRPC with the key: a UI session's id. */
async function uiSession(apiKey: string): Promise<string> {
  const signingIn = trpcTestContext(db);
  await createCaller(signingIn).session.signIn({ apiKey });
  return decodeURIComponent(
    /^bl_session=([^;]*)/.exec(signingIn.resHeaders.get("set-cookie") ?? "")?.[1] ?? "",
  );
}

describe("each interface leaves its event", () => {
  it("the published POST and DELETE (REST)", async () => {
    const agentId = await freshAgent(db, alice);
    await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers: ["+14155552671"] }, "rest");
    await removeBlockedNumbers(
      db,
      alice.caller,
      { uid: alice.uid, agentId, numbers: ["+14155552671"] },
      "rest",
    );
    expect(await historyOf(agentId)).toEqual([
      { type: "removed", value: "+14155552671", by: by(alice, alicePrefix, "rest") },
      { type: "created", value: "+14155552671", by: by(alice, alicePrefix, "rest") },
    ]);
  });

  it("the entries POST, PATCH and DELETE (REST), the entry after each change", async () => {
    const agentId = await freshAgent(db, alice);
    const { created } = await createEntries(
      db,
      alice.caller,
      { uid: alice.uid, agentId, entries: [{ match: "withheld" }] },
      "rest",
    );
    const made = created[0];
    if (made === undefined) throw new Error("not created");
    const changed = await updateEntry(
      db,
      alice.caller,
      { uid: alice.uid, id: made.id, reason: "spam" },
      "rest",
    );
    // The same change again changes nothing, and records nothing.
    await updateEntry(db, alice.caller, { uid: alice.uid, id: made.id, reason: "spam" }, "rest");
    await removeEntries(db, alice.caller, { uid: alice.uid, ids: [made.id] }, "rest");
    const { events } = await listHistory(db, alice.caller, { uid: alice.uid, agentId, limit: 100 });
    const author = by(alice, alicePrefix, "rest");
    expect(events).toEqual([
      {
        id: expect.stringMatching(/^evt_/),
        at: expect.any(String),
        type: "removed",
        entry: changed,
        by: author,
      },
      {
        id: expect.stringMatching(/^evt_/),
        at: expect.any(String),
        type: "updated",
        entry: changed,
        by: author,
      },
      { id: expect.stringMatching(/^evt_/), at: made.createdAt, type: "created", entry: made, by: author },
    ] satisfies EntryEvent[]);
  });

  it("tRPC with a key, and the UI with a session", async () => {
    const agentId = await freshAgent(db, alice);
    const byKey = createCaller(trpcTestContext(db, { apiKey: alice.apiKey }));
    const bySession = createCaller(trpcTestContext(db, { sessionId: await uiSession(alice.apiKey) }));
    const { created } = await byKey.entries.create({
      agentId,
      entries: [{ match: "prefix", value: "+1900" }],
    });
    const id = created[0]?.id ?? "";
    await bySession.entries.update({ id, note: "premium rate" });
    await byKey.blockList.add({ agentId, numbers: ["+442079460958"] });
    await bySession.blockList.remove({ agentId, numbers: ["+442079460958"] });
    await bySession.entries.remove({ ids: [id] });
    const trpc = by(alice, alicePrefix, "trpc");
    const ui = by(alice, alicePrefix, "ui");
    expect(await historyOf(agentId)).toEqual([
      { type: "removed", value: "+1900", by: ui },
      { type: "removed", value: "+442079460958", by: ui },
      { type: "created", value: "+442079460958", by: trpc },
      { type: "updated", value: "+1900", by: ui },
      { type: "created", value: "+1900", by: trpc },
    ]);
    // entries.history answers what the REST route answers.
    expect(await byKey.entries.history({ agentId })).toEqual(
      await listHistory(db, alice.caller, { uid: alice.uid, agentId, limit: 100 }),
    );
  });

  it("an expiry recorded by the sweeper: at the entry's expiresAt, by nobody", async () => {
    const agentId = await freshAgent(db, alice);
    const { created } = await createEntries(
      db,
      alice.caller,
      { uid: alice.uid, agentId, entries: [{ match: "any", expiresIn: "1h" }] },
      "rest",
    );
    const made = created[0];
    if (made === undefined) throw new Error("not created");
    const expiresAt = new Date(Date.now() - 1_000);
    await db.entry.update({ where: { id: made.id }, data: { expiresAt } });
    const sweeper = startExpirySweeper({ db, logger: quietLogger, intervalMs: 20 });
    onTestFinished(() => sweeper.stop());
    await expect
      .poll(() => historyOf(agentId))
      .toEqual([
        { type: "expired", value: null, by: null },
        { type: "created", value: null, by: by(alice, alicePrefix, "rest") },
      ]);
    const [expired] = (await listHistory(db, alice.caller, { uid: alice.uid, agentId, limit: 1 })).events;
    expect(expired?.at).toBe(expiresAt.toISOString());
    expect(expired?.entry).toEqual({ ...made, expiresAt: expiresAt.toISOString() });
  });

  it("an expiry recorded by a create of the same entry", async () => {
    const agentId = await freshAgent(db, alice);
    const entries = [{ match: "number", value: "+14155552671", expiresIn: "1h" }];
    const { created } = await createEntries(db, alice.caller, { uid: alice.uid, agentId, entries }, "rest");
    await db.entry.update({
      where: { id: created[0]?.id ?? "" },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    await createEntries(db, alice.caller, { uid: alice.uid, agentId, entries }, "trpc");
    expect(await historyOf(agentId)).toEqual([
      { type: "created", value: "+14155552671", by: by(alice, alicePrefix, "trpc") },
      { type: "expired", value: "+14155552671", by: null },
      { type: "created", value: "+14155552671", by: by(alice, alicePrefix, "rest") },
    ]);
  });
});

describe("listHistory", () => {
  it("pages newest first; a cursor works for its own list only", async () => {
    const agentId = await freshAgent(db, alice);
    const numbers = ["+14155550001", "+14155550002", "+14155550003"];
    for (const number of numbers) {
      await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers: [number] }, "rest");
    }
    const query = { uid: alice.uid, agentId, limit: 2 };
    const first = await listHistory(db, alice.caller, query);
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]{50}$/);
    const second = await listHistory(db, alice.caller, { ...query, cursor: first.nextCursor });
    expect(second.nextCursor).toBeUndefined();
    expect([...first.events, ...second.events].map(({ entry }) => entry.value)).toEqual(
      [...numbers].reverse(),
    );

    const otherList = await freshAgent(db, alice);
    await expect(
      listHistory(db, alice.caller, { ...query, agentId: otherList, cursor: first.nextCursor }),
    ).rejects.toEqual(new InvalidRequestError(ErrorMessage.invalidQuery, [INVALID_CURSOR_ISSUE]));
  });

  it("the organization's list has a history of its own", async () => {
    const agentId = await freshAgent(db, alice);
    await createEntries(
      db,
      alice.caller,
      { uid: alice.uid, orgId: alice.orgId, entries: [{ match: "prefix", value: "+4470" }] },
      "rest",
    );
    const { events } = await listHistory(db, alice.caller, {
      uid: alice.uid,
      orgId: alice.orgId,
      limit: 100,
    });
    expect(events.map(({ type, entry }) => [type, entry.value, entry.agentId])).toEqual([
      ["created", "+4470", null],
    ]);
    expect(await historyOf(agentId)).toEqual([]);
  });

  it("refuses another customer's list like a missing one", async () => {
    for (const list of [
      { agentId: bob.agentId },
      { orgId: bob.orgId },
      { agentId: "agt_5Rb1WcE9xNs2LmQ7yVoP" },
    ]) {
      await expect(listHistory(db, alice.caller, { uid: alice.uid, ...list, limit: 100 })).rejects.toEqual(
        new PermissionError(),
      );
    }
  });
});

describe("startHistoryPurger", () => {
  it("deletes the events older than the retention, and only those", async () => {
    const agentId = await freshAgent(db, alice);
    await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers: ["+14155552671"] }, "rest");
    await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers: ["+14155552672"] }, "rest");
    await db.$executeRaw`
      UPDATE entry_events SET at = now() - interval '31 days' WHERE agent_id = ${agentId} AND entry->>'value' = '+14155552671'`;
    const purger = startHistoryPurger({ db, logger: quietLogger, retentionDays: 30, intervalMs: 20 });
    onTestFinished(() => purger.stop());
    await expect
      .poll(() => historyOf(agentId))
      .toEqual([{ type: "created", value: "+14155552672", by: by(alice, alicePrefix, "rest") }]);
  });
});
