import { normalizePhoneNumber } from "@blocklist/core";
import { createTestDatabase, type TestDatabase } from "@blocklist/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AREA_CODES,
  agentOfRow,
  agentOfRowSql,
  FULL_DATASET,
  listSizeOf,
  NUMBER_SPACE,
  numberAt,
  numberAtSql,
  postBatchNumbers,
  QUICK_DATASET,
  unblockedNumber,
} from "./dataset";

// Indexes at every boundary of the number rules, plus a spread in between.
const sampleIndexes = [
  0,
  1,
  AREA_CODES.length - 1,
  AREA_CODES.length,
  999_999,
  1_000_000,
  NUMBER_SPACE - 1,
  ...Array.from({ length: 500 }, (_, i) => i * 799_999),
];

describe("numberAt", () => {
  it("gives valid E.164 numbers that normalise to themselves", () => {
    for (const index of sampleIndexes) expect(normalizePhoneNumber(numberAt(index))).toBe(numberAt(index));
  });

  it("gives a distinct number for each index", () => {
    const numbers = Array.from({ length: 200_000 }, (_, i) => numberAt(i));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it("refuses indexes outside its space", () => {
    expect(() => numberAt(-1)).toThrow(RangeError);
    expect(() => numberAt(NUMBER_SPACE)).toThrow(RangeError);
  });

  it("gives bulk POST inputs that are valid, new and distinct from batch to batch", () => {
    const first = postBatchNumbers(0, FULL_DATASET).map(normalizePhoneNumber);
    const second = postBatchNumbers(1, FULL_DATASET).map(normalizePhoneNumber);
    expect(first.every((e164) => e164 !== null)).toBe(true);
    expect(new Set([...first, ...second]).size).toBe(2 * FULL_DATASET.postBatch);
    const seeded = new Set(Array.from({ length: FULL_DATASET.numbers }, (_, i) => numberAt(i)));
    expect([...first, unblockedNumber(0, FULL_DATASET)].some((e164) => seeded.has(e164 ?? ""))).toBe(false);
  });
});

describe("listSizeOf", () => {
  it("counts the rows agentOfRow gives each agent", () => {
    const counted = new Map<number, number>();
    for (let row = 0; row < QUICK_DATASET.numbers; row++) {
      const agent = agentOfRow(row, QUICK_DATASET);
      counted.set(agent, (counted.get(agent) ?? 0) + 1);
    }
    const agents = Array.from({ length: QUICK_DATASET.agents }, (_, agent) => agent);
    expect(agents.map((agent) => listSizeOf(agent, QUICK_DATASET))).toEqual(
      agents.map((agent) => counted.get(agent)),
    );
  });
});

describe("the SQL the seed runs", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await database.drop();
  });

  it("computes the same numbers as numberAt", async () => {
    const rows = await database.prisma.$queryRawUnsafe<{ number: string }[]>(
      `SELECT ${numberAtSql("i")} AS number FROM unnest($1::bigint[]) WITH ORDINALITY AS t(i, n) ORDER BY n`,
      sampleIndexes,
    );
    expect(rows.map((row) => row.number)).toEqual(sampleIndexes.map(numberAt));
  });

  it.each([
    ["full", FULL_DATASET],
    ["quick", QUICK_DATASET],
  ])("puts each row of the %s dataset on the same agent as agentOfRow", async (_name, size) => {
    const rows = Array.from({ length: 1_000 }, (_, i) => Math.floor((i * size.numbers) / 1_000)).concat([
      size.bigList - 1,
      size.bigList,
      size.bigList + size.mediumList - 1,
      size.bigList + size.mediumList,
      size.numbers - 1,
    ]);
    const agents = await database.prisma.$queryRawUnsafe<{ agent: number }[]>(
      `SELECT (${agentOfRowSql("r", size)})::int AS agent FROM unnest($1::int[]) WITH ORDINALITY AS t(r, n) ORDER BY n`,
      rows,
    );
    expect(agents.map((row) => row.agent)).toEqual(rows.map((row) => agentOfRow(row, size)));
  });
});
