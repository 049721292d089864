// The published route (/api/agent-block-list's service, blockList.ts) as one view of entries: the POST's
// reason, note and expiry, and which entries its GET lists and its DELETE removes.
import {
  blockListAdditionSchema,
  ErrorMessage,
  FailureReason,
  INVALID_EXPIRES_AT_ISSUE,
  INVALID_EXPIRES_IN_ISSUE,
  SUCCESS_MESSAGE,
} from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";
import type { Caller } from "../auth";
import { addBlockedNumbers, listBlockedNumbers, removeBlockedNumbers } from "../blockList";
import { InvalidRequestError, type RequestIssue } from "../errors";
import { parseBody } from "../rest";
import { createTenant } from "../testing/fixtures";
import { listEntries } from "./list";
import { created, freshAgent, keyPrefixOf, newEntryShape } from "./testKit";

const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");
const alicePrefix = await keyPrefixOf(db, alice);

/** A POST as the route runs it: the body parsed by its schema (400s), then the service. */
const post = async (body: Record<string, unknown>, caller: Caller = alice.caller) =>
  addBlockedNumbers(db, caller, parseBody(blockListAdditionSchema, { uid: alice.uid, ...body }), "rest");

const entriesOf = async (agentId: string) =>
  (await listEntries(db, alice.caller, { uid: alice.uid, agentId, limit: 1000 })).entries;

describe("POST with reason, note and expiry", () => {
  it("stores them on every number it adds, and answers as without them", async () => {
    const agentId = await freshAgent(db, alice);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const answer = await post({
      agentId,
      numbers: ["+14155552671", "+442079460958", "bad"],
      reason: "fraud",
      note: "reported by the bank",
      expiresAt,
    });
    expect(answer).toEqual({
      message: SUCCESS_MESSAGE,
      added: ["+14155552671", "+442079460958"],
      failed: [{ number: "bad", reason: FailureReason.invalidFormat }],
    });
    const extras = { reason: "fraud", note: "reported by the bank", expiresAt };
    expect(await entriesOf(agentId)).toEqual(
      ["+14155552671", "+442079460958"].map((value) =>
        newEntryShape(alice, alicePrefix, { orgId: alice.orgId, agentId, match: "number", value, ...extras }),
      ),
    );

    const later = await freshAgent(db, alice);
    await post({ agentId: later, numbers: ["+14155552671"], reason: "do_not_call", expiresIn: "P1DT12H" });
    const [entry] = await entriesOf(later);
    // The published route adds inbound blocks whatever the reason.
    expect(entry).toMatchObject({ direction: "inbound", reason: "do_not_call", note: null });
    expect(Date.parse(entry?.expiresAt ?? "") - Date.now()).toBeGreaterThan(35.9 * 3600_000);
  });

  it("answers exactly as before for a client that sends none of them", async () => {
    const plain = await freshAgent(db, alice);
    const numbers = ["+1 415 555 2671", "+14155552671", "nope"];
    const first = await post({ agentId: plain, numbers });
    expect(first).toEqual({
      message: SUCCESS_MESSAGE,
      added: ["+14155552671"],
      failed: [
        { number: "+14155552671", reason: FailureReason.duplicateInRequest },
        { number: "nope", reason: FailureReason.invalidFormat },
      ],
    });
    expect(await post({ agentId: plain, numbers: ["+14155552671"] })).toEqual({
      message: SUCCESS_MESSAGE,
      added: [],
      failed: [{ number: "+14155552671", reason: FailureReason.alreadyBlocked }],
    });
    expect(await entriesOf(plain)).toEqual([
      newEntryShape(alice, alicePrefix, {
        orgId: alice.orgId,
        agentId: plain,
        match: "number",
        value: "+14155552671",
      }),
    ]);
  });

  it.each<[string, Record<string, unknown>, { path: string; message: unknown }[]]>([
    [
      "both expiries",
      { expiresAt: "2030-01-01T00:00:00Z", expiresIn: "7d" },
      [{ path: "expiresIn", message: "give at most one of expiresAt and expiresIn" }],
    ],
    ["an expiry in the past", { expiresAt: "2020-01-01T00:00:00Z" }, [INVALID_EXPIRES_AT_ISSUE]],
    ["a duration of seconds", { expiresIn: "PT90S" }, [INVALID_EXPIRES_IN_ISSUE]],
    ["an unknown reason", { reason: "rude" }, [{ path: "reason", message: expect.any(String) }]],
    ["a note over 500", { note: "é".repeat(501) }, [{ path: "note", message: expect.any(String) }]],
  ])("answers 400 with issues for %s, whoever asks, and stores nothing", async (_label, extras, issues) => {
    const agentId = await freshAgent(db, alice);
    for (const caller of [alice.caller, alice.readOnlyCaller]) {
      await expect(post({ agentId, numbers: ["+14155552671"], ...extras }, caller)).rejects.toEqual(
        new InvalidRequestError(ErrorMessage.invalidBody, issues as RequestIssue[]),
      );
    }
    expect(await entriesOf(agentId)).toEqual([]);
  });
});

describe("GET and DELETE on entries", () => {
  it("lists a number once when an inbound and a both block hold it, and DELETE removes both", async () => {
    const agentId = await freshAgent(db, alice);
    const list = { uid: alice.uid, agentId };
    await post({ agentId, numbers: ["+14155552671"] });
    await created(db, alice, { agentId }, [
      { match: "number", value: "+14155552671", direction: "both" },
      { match: "number", value: "+442079460958", direction: "both" },
    ]);
    // "Number already in block list": a both block of it is active.
    expect(await post({ agentId, numbers: ["+442079460958", "+33142685300"] })).toEqual({
      message: SUCCESS_MESSAGE,
      added: ["+33142685300"],
      failed: [{ number: "+442079460958", reason: FailureReason.alreadyBlocked }],
    });
    expect(await listBlockedNumbers(db, alice.caller, list)).toEqual({
      blockList: ["+14155552671", "+442079460958", "+33142685300"],
      count: 3,
    });
    // A page counts the whole list from the database: each number once there too.
    expect(await listBlockedNumbers(db, alice.caller, { ...list, limit: 2 })).toEqual({
      blockList: ["+14155552671", "+442079460958"],
      count: 3,
      nextCursor: expect.any(String),
    });
    expect(await entriesOf(agentId)).toHaveLength(4);

    expect(
      await removeBlockedNumbers(db, alice.caller, { ...list, numbers: ["+14155552671", "+442079460958"] }),
    ).toEqual({ message: SUCCESS_MESSAGE, removed: ["+14155552671", "+442079460958"], failed: [] });
    expect((await entriesOf(agentId)).map((entry) => entry.value)).toEqual(["+33142685300"]);
  });

  it("neither lists nor removes a number held only as an outbound block, an allow, a prefix or the organization's", async () => {
    const agentId = await freshAgent(db, alice);
    const others = await created(db, alice, { agentId }, [
      { match: "number", value: "+14155552671", direction: "outbound" },
      { match: "number", value: "+14155552672", action: "allow" },
      { match: "number", value: "+14155552673", action: "allow", direction: "both" },
      { match: "prefix", value: "+1415555" },
    ]);
    await created(db, alice, { orgId: alice.orgId }, [{ match: "number", value: "+14155552674" }]);
    const list = { uid: alice.uid, agentId };
    expect(await listBlockedNumbers(db, alice.caller, list)).toEqual({ blockList: [], count: 0 });
    const numbers = ["+14155552671", "+14155552672", "+14155552673", "+14155552674"];
    expect(await removeBlockedNumbers(db, alice.caller, { ...list, numbers })).toEqual({
      message: SUCCESS_MESSAGE,
      removed: [],
      failed: numbers.map((number) => ({ number, reason: FailureReason.notFound })),
    });
    expect(await entriesOf(agentId)).toEqual(others);
    // And a POST adds the inbound block beside them.
    expect(await post({ agentId, numbers: ["+14155552671", "+14155552672"] })).toMatchObject({
      added: ["+14155552671", "+14155552672"],
    });
  });
});
