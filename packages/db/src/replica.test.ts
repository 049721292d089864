// Reads from a real streaming replica (Debian's PostgreSQL: a primary and a pg_basebackup -R standby). Replay is
// paused on the standby to make its lag certain: a read the replica answers does not show a number the primary
// holds. Lagging reads go to the replica; caught-up reads (the check cache's loads) never answer from behind the
// primary; a replica killed mid-run leaves every read answering from the primary, and it is used again once back.
import { afterAll, describe, expect, it } from "vitest";
import { selectBlockedNumbers } from "./blockedNumbers";
import { caughtUpReadsOf, createPrismaClient, laggingReadsOf, replicaStatsOf } from "./client";
import { connectClient } from "./connection";
import { loadListEntries } from "./entryDecisions";
import { migrateDatabase } from "./migrate";
import { startStreamingCluster } from "./testing/streamingReplica";

const cluster = await startStreamingCluster({ settings: { fsync: "off" } });
afterAll(() => cluster.destroy());
await migrateDatabase(cluster.primary.url);

const changes: boolean[] = [];
const db = createPrismaClient(cluster.primary.url, {
  replicaUrl: cluster.replica.url,
  connectionTimeoutMillis: 1000,
  onReplicaChange: ({ up }) => changes.push(up),
});
afterAll(() => db.$disconnect());

const list = { orgId: "org_1", agentId: "agt_1" };
await db.organization.create({
  data: { id: list.orgId, name: "Acme", agents: { create: [{ id: list.agentId, name: "Front desk" }] } },
});

/** The agent's numbers as the list page reads them, through `reads`. */
const listed = async (reads: typeof db) =>
  (await selectBlockedNumbers(reads, { agentId: list.agentId })).numbers;
const loaded = async () =>
  (await loadListEntries(caughtUpReadsOf(db), list, 100)).map((entry) => entry.value);
const add = (number: string) =>
  db.entry.create({ data: { orgId: list.orgId, agentId: list.agentId, value: number } });

/** Runs `sql` on the standby as its superuser (pausing or resuming replay). */
async function onStandby(sql: string): Promise<void> {
  const client = await connectClient(cluster.replica.superuserUrl);
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("reads from a streaming replica", () => {
  it("sends lagging reads to the replica, and caught-up reads never answer from behind the primary", async () => {
    await add("+14155550100");
    await expect.poll(() => listed(laggingReadsOf(db))).toEqual(["+14155550100"]);

    await onStandby("SELECT pg_wal_replay_pause()");
    try {
      await add("+14155550101");
      const before = replicaStatsOf(db);
      // The replica answers (it is behind: the second number is not there yet), the primary holds both.
      expect(await listed(laggingReadsOf(db))).toEqual(["+14155550100"]);
      expect(await listed(db)).toEqual(["+14155550100", "+14155550101"]);
      // A load waits a little for the replica, then asks the primary.
      expect(await loaded()).toEqual(["+14155550100", "+14155550101"]);
      expect(replicaStatsOf(db)).toEqual({
        up: true,
        replicaReads: (before?.replicaReads ?? 0) + 1,
        primaryReads: (before?.primaryReads ?? 0) + 1,
      });
    } finally {
      await onStandby("SELECT pg_wal_replay_resume()");
    }
    // Caught up, the replica answers loads too.
    const answeredByReplica = async () => {
      const before = replicaStatsOf(db)?.replicaReads ?? 0;
      const values = await loaded();
      return { values, byReplica: (replicaStatsOf(db)?.replicaReads ?? 0) - before };
    };
    await expect.poll(answeredByReplica).toEqual({ values: ["+14155550100", "+14155550101"], byReplica: 1 });
  });

  it("answers from the primary while the replica is killed, mid-run, and uses it again once it is back", async () => {
    // Reads in flight, all the time, while the replica is killed under them: none may fail.
    let reading = true;
    const failures: unknown[] = [];
    let answered = 0;
    const readers = Array.from({ length: 4 }, async () => {
      while (reading) {
        try {
          await listed(laggingReadsOf(db));
          await loaded();
          answered++;
        } catch (error) {
          failures.push(error);
        }
      }
    });
    await expect.poll(() => answered).toBeGreaterThan(20);
    await cluster.replica.kill();
    await add("+14155550102");
    const expected = ["+14155550100", "+14155550101", "+14155550102"];
    // The primary answers, so the number added after the kill is listed.
    await expect.poll(() => listed(laggingReadsOf(db))).toEqual(expected);
    expect(replicaStatsOf(db)?.up).toBe(false);
    const whileDown = answered;
    await expect.poll(() => answered).toBeGreaterThan(whileDown + 20);
    reading = false;
    await Promise.all(readers);
    expect(failures).toEqual([]);
    expect(changes).toEqual([false]);

    await cluster.replica.start();
    await expect.poll(() => replicaStatsOf(db)?.up, { timeout: 10_000 }).toBe(true);
    expect(changes).toEqual([false, true]);
    // Back in use: paused, it answers from behind again.
    await expect.poll(() => listed(laggingReadsOf(db))).toEqual(expected);
    await onStandby("SELECT pg_wal_replay_pause()");
    try {
      await add("+14155550103");
      expect(await listed(laggingReadsOf(db))).toEqual(expected);
      expect(await loaded()).toEqual([...expected, "+14155550103"]);
    } finally {
      await onStandby("SELECT pg_wal_replay_resume()");
    }
  });

  it("is the client itself without a replica", () => {
    const plain = createPrismaClient(cluster.primary.url);
    expect(laggingReadsOf(plain)).toBe(plain);
    expect(caughtUpReadsOf(plain)).toBe(plain);
    expect(replicaStatsOf(plain)).toBeUndefined();
  });
});
