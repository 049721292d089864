import { describe, expect, it } from "vitest";
import { blockedNumberBatches } from "./blockedNumbers";
import { testDatabaseForFile } from "./testing";

const { prisma: db } = await testDatabaseForFile();

async function agentWith(count: number, offset: number): Promise<{ agentId: string; numbers: string[] }> {
  const suffix = String(offset);
  await db.$executeRaw`INSERT INTO users (id, name) VALUES (${`usr_${suffix}`}, 'u')`;
  await db.$executeRaw`INSERT INTO organizations (id, name) VALUES (${`org_${suffix}`}, 'o')`;
  await db.$executeRaw`INSERT INTO agents (id, organization_id, name) VALUES (${`agt_${suffix}`}, ${`org_${suffix}`}, 'a')`;
  const numbers = Array.from(
    { length: count },
    (_, index) => `+1415${String(offset + index).padStart(7, "0")}`,
  );
  await db.$executeRaw`INSERT INTO entries (org_id, agent_id, value) SELECT ${`org_${suffix}`}, ${`agt_${suffix}`}, unnest(${numbers}::text[])`;
  return { agentId: `agt_${suffix}`, numbers };
}

describe("blockedNumberBatches", () => {
  it("reads an agent's whole list in insertion order, a batch at a time, each number once", async () => {
    const other = await agentWith(30, 1_000_000);
    const { agentId, numbers } = await agentWith(95, 2_000_000);
    await agentWith(30, 3_000_000);
    const batches: string[][] = [];
    for await (const batch of blockedNumberBatches(db, agentId, 20)) batches.push(batch);
    expect(batches.map((batch) => batch.length)).toEqual([20, 20, 20, 20, 15]);
    expect(batches.flat()).toEqual(numbers);
    expect(batches.flat()).not.toContain(other.numbers[0]);
  });

  it("ends at once for an empty list, and after a full last batch", async () => {
    const empty = await agentWith(0, 4_000_000);
    const full = await agentWith(40, 5_000_000);
    const read = async (agentId: string) => {
      const sizes: number[] = [];
      for await (const batch of blockedNumberBatches(db, agentId, 20)) sizes.push(batch.length);
      return sizes;
    };
    expect(await read(empty.agentId)).toEqual([]);
    expect(await read(full.agentId)).toEqual([20, 20]);
  });
});
