import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createPrismaClient, disconnectPrismaClient, getPrismaClient } from "./client";
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

describe("getPrismaClient", () => {
  const saved = process.env.DATABASE_URL;
  afterEach(async () => {
    await disconnectPrismaClient();
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  test("needs DATABASE_URL", async () => {
    delete process.env.DATABASE_URL;
    expect(() => getPrismaClient()).toThrow("DATABASE_URL is not set");
  });

  test("is one client per process, on DATABASE_URL", async () => {
    process.env.DATABASE_URL = database.url;
    const client = getPrismaClient();
    expect(getPrismaClient()).toBe(client);
    expect(await client.agent.count()).toBe(2);
    await disconnectPrismaClient();
    expect(getPrismaClient()).not.toBe(client);
  });

  test("createPrismaClient makes independent clients", async () => {
    const a = createPrismaClient(database.url);
    const b = createPrismaClient(database.url);
    expect(a).not.toBe(b);
    expect(await a.user.count()).toBe(await b.user.count());
    await Promise.all([a.$disconnect(), b.$disconnect()]);
  });
});
