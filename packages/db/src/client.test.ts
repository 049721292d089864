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
  test("stores an active entry once per list, with an id and a rising seq", async () => {
    const { prisma } = database;
    const first = await prisma.entry.create({
      data: { orgId: "org_1", agentId: "agt_1", value: "+14155552671" },
      select: { seq: true, id: true, agentId: true, value: true, match: true, action: true, direction: true },
    });
    expect(first).toEqual({
      seq: expect.any(BigInt),
      id: expect.stringMatching(/^ent_[0-9A-Za-z]{20}$/),
      agentId: "agt_1",
      value: "+14155552671",
      match: "number",
      action: "block",
      direction: "inbound",
    });

    const again = prisma.entry.create({ data: { orgId: "org_1", agentId: "agt_1", value: "+14155552671" } });
    await expect(again).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await expect(again).rejects.toMatchObject({ code: "P2002" });

    const otherAgent = await prisma.entry.create({
      data: { orgId: "org_1", agentId: "agt_2", value: "+14155552671" },
      select: { seq: true },
    });
    expect(otherAgent.seq).toBeGreaterThan(first.seq);
  });

  test("takes concurrent bulk inserts of the same entries without storing any twice", async () => {
    const { prisma } = database;
    const numbers = Array.from({ length: 500 }, (_, i) => `+1415555${String(i).padStart(4, "0")}`);
    const insert = () =>
      prisma.$queryRaw<{ value: string }[]>(Prisma.sql`
        INSERT INTO entries (org_id, agent_id, value)
        SELECT 'org_1', 'agt_2', value FROM unnest(${numbers}::text[]) AS value
        ON CONFLICT (org_id, agent_id, match, value, action, direction) WHERE NOT expired DO NOTHING
        RETURNING value`);
    const results = await Promise.all([insert(), insert(), insert()]);
    expect(
      results
        .flat()
        .map((row) => row.value)
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
