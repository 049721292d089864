// addEntryHits against PostgreSQL: counts add up (also from concurrent flushes), last_hit_at never moves back, a
// removed entry is skipped, a flush and a removal do not deadlock, and the flush does not fire the entries
// notify trigger (migration hits_quiet) while a real change still notifies.
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { poolOf } from "./client";
import { withDatabaseName } from "./connection";
import { deleteEntries, updateEntry } from "./entries";
import { addEntryHits, addEntryHitsOn } from "./entryHits";
import { testDatabaseForFile } from "./testing";

const { prisma: db, url } = await testDatabaseForFile();

await db.$executeRawUnsafe(`
  INSERT INTO organizations (id, name) VALUES ('org_1', 'Acme');
  INSERT INTO agents (id, organization_id, name) VALUES ('agt_1', 'org_1', 'Front');`);

/** `count` new entries of agt_1 (numbers), their ids in creation order. */
async function newEntries(count: number): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO entries (org_id, agent_id, value)
     SELECT 'org_1', 'agt_1', '+1415' || lpad((random() * 1e7)::int::text, 7, '0') || n FROM generate_series(1, $1) n
     RETURNING id`,
    count,
  );
  return rows.map((row) => row.id);
}

async function hitsOf(ids: readonly string[]) {
  const rows = await db.$queryRawUnsafe<{ id: string; hits: string; last: Date | null }[]>(
    "SELECT id, hits::text, last_hit_at AS last FROM entries WHERE id = ANY($1::text[])",
    ids,
  );
  const byId = new Map(
    rows.map((row) => [row.id, { hits: Number(row.hits), lastHitAt: row.last?.toISOString() }]),
  );
  return ids.map((id) => byId.get(id) ?? "removed");
}

const BY = { keyId: null, via: "rest" } as const;
const T0 = Date.parse("2026-12-01T22:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("addEntryHits", () => {
  it("adds each count, keeps the latest hit, and skips an entry removed meanwhile", async () => {
    const [first = "", second = "", removed = ""] = await newEntries(3);
    await deleteEntries(db, ["org_1"], [removed], BY);
    expect(
      await addEntryHits(db, [
        { entryId: first, count: 3, lastAt: T0 + 500 },
        { entryId: removed, count: 2, lastAt: T0 },
        { entryId: second, count: 1, lastAt: T0 },
      ]),
    ).toBe(2);
    // An earlier last hit (another instance's flush, later) adds its count but leaves the later time.
    expect(await addEntryHits(db, [{ entryId: first, count: 4, lastAt: T0 + 100 }])).toBe(1);
    expect(await hitsOf([first, second, removed])).toEqual([
      { hits: 7, lastHitAt: iso(T0 + 500) },
      { hits: 1, lastHitAt: iso(T0) },
      "removed",
    ]);
    expect(await addEntryHits(db, [])).toBe(0);
  });

  it("adds up exactly over concurrent flushes, and neither a flush nor a removal of the same rows deadlocks", async () => {
    const ids = await newEntries(200);
    const kept = ids.slice(0, 100);
    const removed = ids.slice(100);
    const FLUSHES = 20;
    // Each flush names every entry, in an order of its own (the statement locks in id order whatever it gets).
    const flushes = Array.from({ length: FLUSHES }, (_, flush) =>
      addEntryHits(
        db,
        [...ids]
          .sort(() => Math.random() - 0.5)
          .map((entryId, index) => ({ entryId, count: 1, lastAt: T0 + flush * 1000 + index })),
      ),
    );
    const removal = deleteEntries(db, ["org_1"], [...removed].reverse(), BY);
    const [written, gone] = await Promise.all([Promise.all(flushes), removal]);
    expect(gone.map((entry) => entry.id).sort()).toEqual([...removed].sort());
    expect(written.every((count) => count === 100 || count === 200)).toBe(true);
    const counts = await hitsOf(kept);
    expect(counts.map((hit) => (typeof hit === "string" ? hit : hit.hits))).toEqual(kept.map(() => FLUSHES));
  });
});

describe("the entries notify trigger and the hit flush (migration hits_quiet)", () => {
  it("does not fire for a flush, and still notifies a change of an entry", async () => {
    const [id = ""] = await newEntries(1);
    // track_functions counts calls of plpgsql functions; only a superuser may turn it on.
    const superuser = new pg.Client({
      connectionString: withDatabaseName(inject("postgresUrl"), new URL(url).pathname.slice(1)),
    });
    const listener = new pg.Client({ connectionString: url });
    await Promise.all([superuser.connect(), listener.connect()]);
    try {
      const notified: string[] = [];
      listener.on("notification", (message) => notified.push(`${message.channel} ${message.payload}`));
      await listener.query("LISTEN blocklist_changes; LISTEN hits_test_marker");

      const triggerCallsDuring = async (statement: () => Promise<unknown>) => {
        await superuser.query("BEGIN");
        try {
          await superuser.query("SET LOCAL track_functions = 'pl'");
          await statement();
          const { rows } = await superuser.query<{ calls: string | null }>(
            "SELECT pg_stat_get_xact_function_calls('blocklist_notify_entries_changed'::regproc)::text AS calls",
          );
          return Number(rows[0]?.calls ?? 0);
        } finally {
          await superuser.query("COMMIT");
        }
      };
      expect(
        await triggerCallsDuring(() => addEntryHitsOn(superuser, [{ entryId: id, count: 1, lastAt: T0 }])),
      ).toBe(0);
      expect(
        await triggerCallsDuring(() =>
          superuser.query("UPDATE entries SET note = 'spam' WHERE id = $1", [id]),
        ),
      ).toBe(1);

      // Through the pool as the service writes: the flush sends nothing, the change of its note does (commit order,
      // so the marker sent last arrives after both).
      await addEntryHits(db, [{ entryId: id, count: 1, lastAt: T0 }]);
      await updateEntry(db, ["org_1"], id, { note: "robocall" }, BY);
      await poolOf(db).query("SELECT pg_notify('hits_test_marker', 'end')");
      await expect.poll(() => notified.at(-1)).toBe("hits_test_marker end");
      const change = JSON.stringify({ kind: "entries", orgId: "org_1", agentId: "agt_1" });
      expect(notified).toEqual([
        `blocklist_changes ${change}`,
        `blocklist_changes ${change}`,
        "hits_test_marker end",
      ]);
      expect(await hitsOf([id])).toEqual([{ hits: 2, lastHitAt: iso(T0) }]);
    } finally {
      await Promise.all([superuser.end(), listener.end()]);
    }
  });
});
