import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPrismaClient, poolOf, poolStatsOf } from "./client";
import { Prisma } from "./generated/prisma/client";
import { createTestDatabase, type TestDatabase } from "./testing/index";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  const { prisma } = database;
  await prisma.user.create({ data: { id: "usr_1", name: "Ada" } });
  await prisma.organization.create({
    data: {
      id: "org_1",
      name: "Acme",
      memberships: { create: { userId: "usr_1" } },
      agents: {
        create: [
          { id: "agt_1", name: "Front desk" },
          { id: "agt_2", name: "Night line" },
        ],
      },
    },
  });
});

afterAll(async () => {
  await database.drop();
});

describe("the schema", () => {
  test("stores a number once per agent", async () => {
    const { prisma } = database;
    const first = await prisma.blockedNumber.create({
      data: { agentId: "agt_1", e164: "+14155552671" },
      select: { id: true, agentId: true, e164: true },
    });
    expect(first).toEqual({ id: expect.any(BigInt), agentId: "agt_1", e164: "+14155552671" });

    const again = prisma.blockedNumber.create({ data: { agentId: "agt_1", e164: "+14155552671" } });
    await expect(again).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await expect(again).rejects.toMatchObject({ code: "P2002" });

    const otherAgent = await prisma.blockedNumber.create({
      data: { agentId: "agt_2", e164: "+14155552671" },
      select: { id: true },
    });
    expect(otherAgent.id).toBeGreaterThan(first.id);
  });

  test("takes concurrent bulk inserts of the same numbers without storing any twice", async () => {
    const { prisma } = database;
    const numbers = Array.from({ length: 500 }, (_, i) => `+1415555${String(i).padStart(4, "0")}`);
    const insert = () =>
      prisma.$queryRaw<{ e164: string }[]>(Prisma.sql`
        INSERT INTO blocked_numbers (agent_id, e164)
        SELECT 'agt_2', e164 FROM unnest(${numbers}::text[]) AS e164
        ON CONFLICT (agent_id, e164) DO NOTHING
        RETURNING e164`);
    const results = await Promise.all([insert(), insert(), insert()]);
    expect(
      results
        .flat()
        .map((row) => row.e164)
        .sort(),
    ).toEqual(numbers.filter((n) => n !== "+14155552671").sort());
  });

  test("stores the instant of DEFAULT now() whatever the session time zone", async () => {
    const { prisma } = database;
    await prisma.$transaction([
      prisma.$executeRaw`SET LOCAL timezone = 'Pacific/Kiritimati'`,
      prisma.$executeRaw`INSERT INTO users (id, name) VALUES ('usr_tz', 'Tz')`,
    ]);
    const stored = await prisma.user.findUniqueOrThrow({
      where: { id: "usr_tz" },
      select: { createdAt: true },
    });
    expect(Math.abs(stored.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });
});

describe("createPrismaClient", () => {
  test("makes independent clients, each on a pool of its own", async () => {
    const a = createPrismaClient(database.url, { max: 3 });
    const b = createPrismaClient(database.url);
    expect(a).not.toBe(b);
    expect(poolOf(a)).not.toBe(poolOf(b));
    expect(await a.user.count()).toBe(await b.user.count());
    expect(poolStatsOf(a)).toMatchObject({ max: 3, waiting: 0 });
    await Promise.all([a.$disconnect(), b.$disconnect()]);
  });

  test("knows only the pools of the clients it made", () => {
    expect(() => poolOf({} as never)).toThrow("poolOf: this PrismaClient was not made by @blocklist/db");
  });
});
