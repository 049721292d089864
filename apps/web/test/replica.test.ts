// The real server with DATABASE_REPLICA_URL on a real streaming replica (Debian's PostgreSQL, a pg_basebackup -R
// standby; docs/DECISIONS.md, "Reads from a replica"). Replay is paused on the standby, so that what the replica
// answers is certain to be behind: the REST list pages come from it, while the caller's own write, `check` and
// the UI's tRPC list read the primary; the replica killed, every page answers from the primary.
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { createPrismaClient } from "@blocklist/db";
import { migrateDatabase } from "@blocklist/db/lifecycle";
import { startStreamingCluster } from "@blocklist/db/testing";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { check } from "./checkCalls";
import { blockListPath, call } from "./http";
import { startServer } from "./server";

const cluster = await startStreamingCluster({ settings: { fsync: "off" } });
afterAll(() => cluster.destroy());
await migrateDatabase(cluster.primary.url);
const admin = createPrismaClient(cluster.primary.url);
afterAll(() => admin.$disconnect());
const server = await startServer({
  DATABASE_URL: cluster.primary.url,
  DATABASE_REPLICA_URL: cluster.replica.url,
  DATABASE_CONNECT_TIMEOUT_MS: "1000",
});
afterAll(() => server.stop());

const FIRST = "+14155550100";
const SECOND = "+14155550101";

async function onStandby(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.replica.superuserUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** What each read of the agent's list answers: REST whole and paged, entries, the tRPC list. */
async function reads(tenant: Tenant) {
  const query = { uid: tenant.uid, agentId: tenant.agentId };
  const key = tenant.apiKey;
  const whole = await call(server.url, "GET", blockListPath(query), { key });
  const paged = await call(server.url, "GET", blockListPath({ ...query, limit: "10" }), { key });
  const entries = await call(server.url, "GET", `/api/block-list-entries?${new URLSearchParams(query)}`, {
    key,
  });
  const input = encodeURIComponent(JSON.stringify({ agentId: tenant.agentId }));
  const trpc = await call(server.url, "GET", `/api/trpc/blockList.list?input=${input}`, { key });
  return {
    whole: whole.body,
    paged: paged.body,
    entries: (entries.body as { entries: { value: string }[] }).entries.map((entry) => entry.value),
    trpc: (trpc.body as { result: { data: { blockList: string[] } } }).result.data.blockList,
  };
}

const listed = (numbers: string[]) => ({ blockList: numbers, count: numbers.length });

describe("DATABASE_REPLICA_URL", () => {
  it("serves the REST list pages from the replica, the caller's write and check from the primary, and falls back when it is killed", async () => {
    const alice = await createTenant(admin, "alice");
    const post = (number: string) =>
      call(server.url, "POST", "/api/agent-block-list", {
        key: alice.apiKey,
        body: { uid: alice.uid, agentId: alice.agentId, numbers: [number] },
      });
    expect((await post(FIRST)).body).toMatchObject({ added: [FIRST] });
    await expect
      .poll(() => reads(alice))
      .toEqual({ whole: listed([FIRST]), paged: listed([FIRST]), entries: [FIRST], trpc: [FIRST] });
    expect(await check(server, alice.apiKey, alice.agentId, FIRST)).toBe(true);

    await onStandby("SELECT pg_wal_replay_pause()");
    let paused = true;
    try {
      // The caller's own write reports what the primary did; check reads its own write (the list it changed is
      // dropped, and reloaded only from a replica as fresh as the primary).
      expect((await post(SECOND)).body).toMatchObject({ added: [SECOND], failed: [] });
      expect(await check(server, alice.apiKey, alice.agentId, SECOND)).toBe(true);
      // The REST pages answer from the replica, which is behind; the UI's tRPC list reads the primary.
      expect(await reads(alice)).toEqual({
        whole: listed([FIRST]),
        paged: listed([FIRST]),
        entries: [FIRST],
        trpc: [FIRST, SECOND],
      });

      await cluster.replica.kill();
      paused = false;
      // Killed: every page answers, from the primary.
      expect(await reads(alice)).toEqual({
        whole: listed([FIRST, SECOND]),
        paged: listed([FIRST, SECOND]),
        entries: [FIRST, SECOND],
        trpc: [FIRST, SECOND],
      });
      await server.untilOutput((output) => output.includes("Replica unreachable: reading from the primary"));
    } finally {
      if (paused) await onStandby("SELECT pg_wal_replay_resume()");
    }

    await cluster.replica.start();
    await server.untilOutput((output) => output.includes("Replica answers again"));
    await expect
      .poll(() => reads(alice))
      .toEqual({
        whole: listed([FIRST, SECOND]),
        paged: listed([FIRST, SECOND]),
        entries: [FIRST, SECOND],
        trpc: [FIRST, SECOND],
      });
  });
});
