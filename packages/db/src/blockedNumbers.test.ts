import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { countBlockedNumbers, selectBlockedNumbers } from "./blockedNumbers";
import { poolOf } from "./client";
import { PrismaClient } from "./generated/prisma/client";
import { createTestDatabase, type TestDatabase } from "./testing/index";

let database: TestDatabase;
// Inserted in this order, so their ids rise in this order (not in the numbers' sort order).
const numbers = ["+14155550100", "+442079460958", "+14155550009", "+33142685300", "+14155550010"];
let ids: bigint[];

beforeAll(async () => {
  database = await createTestDatabase();
  const { prisma } = database;
  await prisma.organization.create({
    data: {
      id: "org_1",
      name: "Acme",
      agents: {
        create: [
          { id: "agt_1", name: "Front desk" },
          { id: "agt_2", name: "Night line" },
        ],
      },
    },
  });
  // Eight rows first, so that agt_1's ids run 9, 10, 11…: sorted as text they would come out of order.
  await prisma.entry.createMany({
    data: Array.from({ length: 8 }, (_, i) => ({
      orgId: "org_1",
      agentId: "agt_2",
      value: `+1415555070${i}`,
    })),
  });
  ids = [];
  for (const e164 of numbers) {
    const row = await prisma.entry.create({
      data: { orgId: "org_1", agentId: "agt_1", value: e164 },
      select: { seq: true },
    });
    ids.push(row.seq);
  }
});

afterAll(async () => {
  await database.drop();
});

describe("selectBlockedNumbers", () => {
  test("gives an agent's whole list in insertion order, without ids", async () => {
    expect(await selectBlockedNumbers(database.prisma, { agentId: "agt_1" })).toEqual({
      numbers,
      ids: undefined,
    });
    expect(await selectBlockedNumbers(database.prisma, { agentId: "agt_none" })).toEqual({
      numbers: [],
      ids: undefined,
    });
  });

  test("gives a page after an id, with each number's id, in numeric id order (9 before 10)", async () => {
    const { prisma } = database;
    expect(ids[0]).toBe(9n);
    expect(await selectBlockedNumbers(prisma, { agentId: "agt_1", limit: 2 })).toEqual({
      numbers: numbers.slice(0, 2),
      ids: ids.slice(0, 2),
    });
    expect(await selectBlockedNumbers(prisma, { agentId: "agt_1", afterId: ids[1], limit: 10 })).toEqual({
      numbers: numbers.slice(2),
      ids: ids.slice(2),
    });
  });

  test("keeps only numbers containing the digits", async () => {
    const { prisma } = database;
    expect(await selectBlockedNumbers(prisma, { agentId: "agt_1", containingDigits: "41555500" })).toEqual({
      numbers: ["+14155550009", "+14155550010"],
      ids: undefined,
    });
    await expect(selectBlockedNumbers(prisma, { agentId: "agt_1", containingDigits: "5%" })).rejects.toThrow(
      "containingDigits must be digits",
    );
  });
});

describe("countBlockedNumbers", () => {
  test("counts an agent's list, or the part of it containing the digits", async () => {
    const { prisma } = database;
    expect(await countBlockedNumbers(prisma, { agentId: "agt_1" })).toBe(5);
    expect(await countBlockedNumbers(prisma, { agentId: "agt_1", containingDigits: "4415" })).toBe(0);
    expect(await countBlockedNumbers(prisma, { agentId: "agt_1", containingDigits: "1415" })).toBe(3);
    expect(await countBlockedNumbers(prisma, { agentId: "agt_none" })).toBe(0);
  });
});

describe("poolOf", () => {
  test("refuses a client this package did not make", () => {
    const foreign = Object.create(PrismaClient.prototype) as PrismaClient;
    expect(() => poolOf(foreign)).toThrow("was not made by @blocklist/db");
  });
});
