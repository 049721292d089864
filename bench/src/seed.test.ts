import { hashApiKey, type IdPrefix, isWellFormedId } from "@blocklist/api";
import { createTestDatabase, type TestDatabase } from "@blocklist/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentId, agentOfRow, BENCH_USER_ID, type DatasetSize, numberAt } from "./dataset";
import { entriesAgents, entriesRows } from "./entriesDataset";
import { seedDatabase } from "./seed";

const size: DatasetSize = {
  numbers: 60,
  agents: 7,
  bigList: 20,
  mediumList: 10,
  agentsPerOrganization: 3,
  postBatch: 10,
  pageSize: 5,
  entries: {
    agentNumbers: 4,
    agentAllows: 1,
    agentPrefixes: 2,
    orgNumbers: 60,
    orgPrefixes: 6,
    orgAllows: 1,
  },
};
const scenarioOrgs = Object.values(entriesAgents(size)).map((agent) => agent.orgId);

// What the migrations made of entries: the seed drops its indexes and foreign keys for speed and must
// put back exactly these.
async function tableDefinition(database: TestDatabase): Promise<string[]> {
  const rows = await database.prisma.$queryRawUnsafe<{ definition: string }[]>(
    `SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = 'entries'::regclass
     UNION ALL
     SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'entries'::regclass
     ORDER BY 1`,
  );
  return rows.map((row) => row.definition);
}

describe("seedDatabase", () => {
  let database: TestDatabase;
  let before: string[];
  let seeded: Awaited<ReturnType<typeof seedDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    before = await tableDefinition(database);
    seeded = await seedDatabase(database.url, size);
  });
  afterAll(async () => {
    await database.drop();
  });

  it("puts every number on its agent, once", async () => {
    const rows = (
      await database.prisma.entry.findMany({
        where: { orgId: { notIn: scenarioOrgs } },
        select: { agentId: true, value: true },
      })
    ).map(({ agentId, value }) => ({ agentId, e164: value ?? "" }));
    const expected = Array.from({ length: size.numbers }, (_, row) => ({
      agentId: agentId(agentOfRow(row, size)),
      e164: numberAt(row),
    }));
    const byNumber = (a: { e164: string }, b: { e164: string }) => a.e164.localeCompare(b.e164);
    expect(rows.sort(byNumber)).toEqual(expected.sort(byNumber));
  });

  it("seeds the lists of the check scenario on entries as entriesRows describes them", async () => {
    const rows = await database.prisma.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT org_id AS "orgId", agent_id AS "agentId", match, value, action, direction, reason, note,
         round(extract(epoch FROM expires_at - created_at) / 86400)::int AS "expiresInDays"
       FROM entries WHERE org_id = ANY($1::text[]) ORDER BY seq`,
      scenarioOrgs,
    );
    expect(rows).toEqual(entriesRows(size));
    expect(rows.some((row) => row.expiresInDays === 30)).toBe(true);
  });

  it("gives the driver's key access to every agent, through memberships", async () => {
    const { prisma } = database;
    const key = await prisma.apiKey.findUnique({
      where: { hash: hashApiKey(seeded.apiKey) },
      select: { userId: true, readOnly: true, revokedAt: true },
    });
    expect(key).toEqual({ userId: BENCH_USER_ID, readOnly: false, revokedAt: null });
    expect(seeded.uid).toBe(BENCH_USER_ID);
    const reachable = await prisma.agent.count({
      where: { organization: { memberships: { some: { userId: BENCH_USER_ID } } } },
    });
    // The dataset's agents and the two of the check scenario on entries.
    expect(reachable).toBe(size.agents + 2);
    expect(await prisma.apiKey.count()).toBe(1 + Math.ceil(size.agents / size.agentsPerOrganization));
  });

  it("gives every row an id of the form the service accepts", async () => {
    const { prisma } = database;
    const ids: [IdPrefix, string[]][] = [
      ["usr", (await prisma.user.findMany({ select: { id: true } })).map(({ id }) => id)],
      ["org", (await prisma.organization.findMany({ select: { id: true } })).map(({ id }) => id)],
      ["agt", (await prisma.agent.findMany({ select: { id: true } })).map(({ id }) => id)],
      ["key", (await prisma.apiKey.findMany({ select: { id: true } })).map(({ id }) => id)],
    ];
    for (const [prefix, ofTable] of ids) {
      expect(ofTable.length, prefix).toBeGreaterThan(0);
      expect(
        ofTable.filter((id) => !isWellFormedId(prefix, id)),
        prefix,
      ).toEqual([]);
    }
    expect(ids[2]?.[1]).toContain(agentId(0));
  });

  it("leaves the table's indexes and foreign keys as the migrations made them", async () => {
    expect(await tableDefinition(database)).toEqual(before);
    expect(before.length).toBeGreaterThanOrEqual(5);
  });

  it("refuses a database that already holds numbers", async () => {
    await expect(seedDatabase(database.url, size)).rejects.toThrow("seeds an empty database only");
  });
});
