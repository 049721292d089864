import { ErrorMessage, FailureReason, INVALID_CURSOR_ISSUE, SUCCESS_MESSAGE } from "@blocklist/core";
import { createPrismaClient } from "@blocklist/db";
import { queriesDuring, testDatabaseForFile } from "@blocklist/db/testing";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { addBlockedNumbers, listBlockedNumbers, removeBlockedNumbers } from "./blockList";
import { checkCaller } from "./entries";
import { InvalidRequestError, PermissionError } from "./errors";
import { newId } from "./ids";
import { createTenant, impossibleIdsLike, type Tenant } from "./testing/fixtures";

const { prisma: db, url } = await testDatabaseForFile();
// A client nothing else uses, so that counting its queries counts only the call under test.
const quiet = createPrismaClient(url);
afterAll(() => quiet.$disconnect());
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

async function freshAgent(tenant: Tenant): Promise<string> {
  const { createAgent } = await import("./admin/agents");
  return (await createAgent(db, { uid: tenant.uid, name: "extra" })).agentId;
}

async function storedNumbers(agentId: string): Promise<string[]> {
  const rows = await db.entry.findMany({
    where: { agentId },
    orderBy: { seq: "asc" },
    select: { value: true },
  });
  return rows.flatMap((row) => row.value ?? []);
}

describe("addBlockedNumbers", () => {
  it("adds valid numbers in E.164 and reports each input once with its reason", async () => {
    const agentId = await freshAgent(alice);
    const mutation = { uid: alice.uid, agentId, numbers: ["+14155552671"] };
    await addBlockedNumbers(db, alice.caller, mutation);

    const answer = await addBlockedNumbers(db, alice.caller, {
      ...mutation,
      numbers: [
        "+1 (415) 555-2671",
        "+44 20 7946 0958",
        "not a number",
        "+44 (0)20 7946 0958",
        "+1234567890",
      ],
    });

    expect(answer).toEqual({
      message: SUCCESS_MESSAGE,
      added: ["+442079460958"],
      failed: [
        { number: "+1 (415) 555-2671", reason: FailureReason.alreadyBlocked },
        { number: "not a number", reason: FailureReason.invalidFormat },
        { number: "+44 (0)20 7946 0958", reason: FailureReason.duplicateInRequest },
        { number: "+1234567890", reason: FailureReason.invalidFormat },
      ],
    });
    expect(await storedNumbers(agentId)).toEqual(["+14155552671", "+442079460958"]);
  });

  it("records which key added a number", async () => {
    const agentId = await freshAgent(alice);
    await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers: ["+14155550100"] });
    const row = await db.entry.findFirst({
      where: { agentId },
      select: { createdByKeyId: true, createdVia: true },
    });
    expect(row).toEqual({ createdByKeyId: alice.caller.keyId, createdVia: "rest" });
  });

  it("answers 200-style with every number failed when none is valid", async () => {
    const agentId = await freshAgent(alice);
    const answer = await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers: ["", "x"] });
    expect(answer).toEqual({
      message: SUCCESS_MESSAGE,
      added: [],
      failed: [
        { number: "", reason: FailureReason.invalidFormat },
        { number: "x", reason: FailureReason.invalidFormat },
      ],
    });
  });

  it("refuses a read-only key, another user's uid and another customer's agent, changing nothing", async () => {
    const numbers = ["+14155552671"];
    await expect(
      addBlockedNumbers(db, alice.readOnlyCaller, { uid: alice.uid, agentId: alice.agentId, numbers }),
    ).rejects.toBeInstanceOf(PermissionError);
    await expect(
      addBlockedNumbers(db, alice.caller, { uid: bob.uid, agentId: bob.agentId, numbers }),
    ).rejects.toBeInstanceOf(PermissionError);
    await expect(
      addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId: bob.agentId, numbers }),
    ).rejects.toBeInstanceOf(PermissionError);
    expect(await storedNumbers(bob.agentId)).toEqual([]);
  });

  it("never stores a number twice nor reports it added twice under 16 concurrent requests", async () => {
    const agentId = await freshAgent(alice);
    const numbers = Array.from({ length: 60 }, (_, i) => `+1415555${String(1000 + i)}`);
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        // Each request sends the same numbers in its own order, to give deadlocks every chance.
        addBlockedNumbers(db, alice.caller, {
          uid: alice.uid,
          agentId,
          numbers: i % 2 ? numbers : [...numbers].reverse(),
        }),
      ),
    );
    const added = answers.flatMap((answer) => answer.added);
    expect([...added].sort()).toEqual([...numbers].sort());
    for (const answer of answers) {
      expect(answer.added.length + answer.failed.length).toBe(numbers.length);
      for (const failure of answer.failed) expect(failure.reason).toBe(FailureReason.alreadyBlocked);
    }
    expect((await storedNumbers(agentId)).sort()).toEqual([...numbers].sort());
  });
});

describe("an agent deleted while numbers are being added to it", () => {
  it("is answered like a missing agent, not a 500, and nothing is stored", async () => {
    const agentId = await freshAgent(alice);
    // Another connection deletes the agent and holds its transaction open: the add's access check still sees the
    // agent (the delete is not committed), then its INSERT waits for the agent's row, and fails once it commits.
    const deleter = createPrismaClient(url, { max: 1 });
    let adding: Promise<unknown> = Promise.resolve();
    try {
      await deleter.$transaction(
        async (tx) => {
          await tx.$executeRaw`DELETE FROM agents WHERE id = ${agentId}`;
          adding = addBlockedNumbers(quiet, alice.caller, {
            uid: alice.uid,
            agentId,
            numbers: ["+14155550123"],
          }).then(
            () => "added",
            (error: unknown) => error,
          );
          await expect
            .poll(async () => {
              const rows = await db.$queryRaw<{ waiting: number }[]>`
                SELECT count(*)::int AS waiting FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO entries%'`;
              return rows[0]?.waiting;
            })
            .toBe(1);
        },
        { timeout: 30_000 },
      );
      expect(await adding).toEqual(new PermissionError());
      expect(await storedNumbers(agentId)).toEqual([]);
    } finally {
      await deleter.$disconnect();
    }
  });
});

describe("removeBlockedNumbers", () => {
  it("removes stored numbers and reports the rest with their reasons", async () => {
    const agentId = await freshAgent(alice);
    await addBlockedNumbers(db, alice.caller, {
      uid: alice.uid,
      agentId,
      numbers: ["+14155552671", "+442079460958"],
    });

    const answer = await removeBlockedNumbers(db, alice.caller, {
      uid: alice.uid,
      agentId,
      numbers: ["+1 415 555 2671", "+14155552671", "+14155550199", "nope"],
    });

    expect(answer).toEqual({
      message: SUCCESS_MESSAGE,
      removed: ["+14155552671"],
      failed: [
        { number: "+14155552671", reason: FailureReason.duplicateInRequest },
        { number: "+14155550199", reason: FailureReason.notFound },
        { number: "nope", reason: FailureReason.invalidFormat },
      ],
    });
    expect(await storedNumbers(agentId)).toEqual(["+442079460958"]);
  });

  it("reports each number removed by exactly one of 16 concurrent requests", async () => {
    const agentId = await freshAgent(alice);
    const numbers = Array.from({ length: 60 }, (_, i) => `+1415555${String(2000 + i)}`);
    await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers });

    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        removeBlockedNumbers(db, alice.caller, {
          uid: alice.uid,
          agentId,
          numbers: i % 2 ? numbers : [...numbers].reverse(),
        }),
      ),
    );
    const removed = answers.flatMap((answer) => answer.removed);
    expect([...removed].sort()).toEqual([...numbers].sort());
    for (const answer of answers) {
      for (const failure of answer.failed) expect(failure.reason).toBe(FailureReason.notFound);
    }
    expect(await storedNumbers(agentId)).toEqual([]);
  });

  it("leaves the list as it was after adding and removing the same new numbers", async () => {
    const agentId = await freshAgent(alice);
    await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers: ["+14155550000"] });
    const before = await storedNumbers(agentId);
    const candidate = fc.constantFrom(
      "+14155552671",
      "+1 415 555 2672",
      "+442079460958",
      "+33 1 42 68 53 00",
      "bad",
      "",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(candidate, { minLength: 1, maxLength: 8 }), async (numbers) => {
        const mutation = { uid: alice.uid, agentId, numbers };
        await addBlockedNumbers(db, alice.caller, mutation);
        await removeBlockedNumbers(db, alice.caller, mutation);
        expect(await storedNumbers(agentId)).toEqual(before);
      }),
      { numRuns: 25 },
    );
  });
});

describe("listBlockedNumbers", () => {
  it("lists oldest first, and pages walk the whole list exactly once", async () => {
    const agentId = await freshAgent(alice);
    const batches = [
      ["+14155550003", "+14155550001"],
      ["+14155550002"],
      ["+14155550005", "+14155550004", "+14155550006", "+14155550007"],
    ];
    for (const numbers of batches)
      await addBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, numbers });
    const whole = await listBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId });
    // Oldest request first; within one request the store inserts in sorted order.
    expect(whole).toEqual({
      blockList: [
        "+14155550001",
        "+14155550003",
        "+14155550002",
        "+14155550004",
        "+14155550005",
        "+14155550006",
        "+14155550007",
      ],
      count: 7,
    });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listBlockedNumbers(db, alice.caller, {
        uid: alice.uid,
        agentId,
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.count).toBe(7);
      seen.push(...page.blockList);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(whole.blockList);
  });

  it("lets a read-only key list, but not another customer's agent", async () => {
    await expect(
      listBlockedNumbers(db, alice.readOnlyCaller, { uid: alice.uid, agentId: alice.agentId }),
    ).resolves.toEqual({ blockList: [], count: 0 });
    await expect(
      listBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId: bob.agentId }),
    ).rejects.toBeInstanceOf(PermissionError);
    await expect(
      listBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId: "agt_doesnotexist" }),
    ).rejects.toBeInstanceOf(PermissionError);
  });
});

describe("an agent id that cannot exist", () => {
  const calls = {
    list: (agentId: string) => listBlockedNumbers(quiet, alice.caller, { uid: alice.uid, agentId }),
    page: (agentId: string) =>
      listBlockedNumbers(quiet, alice.caller, { uid: alice.uid, agentId, limit: 10 }),
    check: (agentId: string) =>
      checkCaller(quiet, alice.caller, { uid: alice.uid, agentId, number: "+14155552671" }),
    add: (agentId: string) =>
      addBlockedNumbers(quiet, alice.caller, { uid: alice.uid, agentId, numbers: ["+14155552671"] }),
    remove: (agentId: string) =>
      removeBlockedNumbers(quiet, alice.caller, { uid: alice.uid, agentId, numbers: ["+14155552671"] }),
  };

  it.each(Object.entries(calls))(
    "is refused by %s like a missing agent, without a query",
    async (_name, call) => {
      // A missing agent of the right shape is looked up: the count below can see a query.
      const missingLookups = await queriesDuring(quiet, () =>
        expect(call(newId("agt"))).rejects.toBeInstanceOf(PermissionError),
      );
      expect(missingLookups).toBeGreaterThan(0);
      for (const [label, agentId] of impossibleIdsLike(alice.agentId)) {
        const queries = await queriesDuring(quiet, () =>
          expect(call(agentId), label).rejects.toBeInstanceOf(PermissionError),
        );
        expect(queries, label).toBe(0);
      }
    },
  );
});

describe("cursors", () => {
  it("page only the list that issued them", async () => {
    const agentId = await freshAgent(alice);
    const otherAgentId = await freshAgent(alice);
    for (const agent of [agentId, otherAgentId]) {
      await addBlockedNumbers(db, alice.caller, {
        uid: alice.uid,
        agentId: agent,
        numbers: ["+14155550001", "+14155550002"],
      });
    }
    const first = await listBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, limit: 1 });
    const cursor = first.nextCursor ?? "";
    await expect(
      listBlockedNumbers(db, alice.caller, { uid: alice.uid, agentId, limit: 1, cursor }),
    ).resolves.toEqual({ blockList: ["+14155550002"], count: 2 });

    const elsewhere = listBlockedNumbers(db, alice.caller, {
      uid: alice.uid,
      agentId: otherAgentId,
      limit: 1,
      cursor,
    });
    await expect(elsewhere).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(elsewhere).rejects.toMatchObject({
      message: ErrorMessage.invalidQuery,
      issues: [INVALID_CURSOR_ISSUE],
    });
  });
});
