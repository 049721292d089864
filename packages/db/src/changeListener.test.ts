// The change notifications: what each trigger of the change_notifications migration sends, and the listener
// that receives them, loses its connection and comes back.
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type ChangeListener, LISTENER_APPLICATION_NAME, startChangeListener } from "./changeListener";
import { connectClient } from "./connection";
import { createTestDatabase, type TestDatabase } from "./testing/index";

let database: TestDatabase;
let sql: pg.Client;
/** The ordinary pool, through which heartbeats are sent. */
let pool: pg.Pool;
let listener: ChangeListener | undefined;

/** Everything the listener reported, in order. */
let events: string[];

function listen(): Promise<void> {
  events = [];
  return new Promise((resolve) => {
    listener = startChangeListener({
      connectionString: database.url,
      heartbeatPool: pool,
      heartbeatMs: 50,
      onListening: () => {
        events.push("listening");
        resolve();
      },
      onDelivered: () => {},
      onNotification: (payload) => events.push(payload),
      onLost: () => events.push("lost"),
    });
  });
}

/** The notifications received since the last call (waits until the listener has caught up with `sql`). */
async function received(): Promise<unknown[]> {
  // A marker of our own, sent after the statements under test: everything before it has arrived once it has.
  await sql.query(`SELECT pg_notify('blocklist_changes', '"marker"')`);
  await expect.poll(() => events.at(-1)).toBe('"marker"');
  const payloads = events.slice(0, -1).filter((event) => event !== "listening");
  events = [];
  return payloads.map((payload) => JSON.parse(payload));
}

beforeAll(async () => {
  database = await createTestDatabase();
  sql = await connectClient(database.url);
  pool = new pg.Pool({ connectionString: database.url });
  await sql.query(`
    INSERT INTO users (id, name) VALUES ('usr_1', 'Ada'), ('usr_2', 'Bob');
    INSERT INTO organizations (id, name) VALUES ('org_1', 'Acme'), ('org_2', 'Beta');
    INSERT INTO memberships (user_id, organization_id) VALUES ('usr_1', 'org_1'), ('usr_2', 'org_1'), ('usr_2', 'org_2');
    INSERT INTO agents (id, organization_id, name) VALUES ('agt_1', 'org_1', 'Front'), ('agt_2', 'org_2', 'Night');
    INSERT INTO api_keys (id, user_id, hash, prefix) VALUES
      ('key_1', 'usr_1', '\\x01', 'bl_1'), ('key_2', 'usr_2', '\\x02', 'bl_2'), ('key_3', 'usr_2', '\\x03', 'bl_3');
  `);
});
afterEach(async () => {
  await listener?.stop();
  listener = undefined;
});
afterAll(async () => {
  await sql?.end();
  await pool?.end();
  await database?.drop();
});

describe("the triggers", () => {
  test("send one notification per list and statement for entries added or removed", async () => {
    await listen();
    await sql.query(`INSERT INTO entries (org_id, agent_id, match, value) VALUES
      ('org_1', 'agt_1', 'number', '+14155550001'), ('org_1', 'agt_1', 'prefix', '+1415555'),
      ('org_2', 'agt_2', 'number', '+14155550001'), ('org_1', NULL, 'any', NULL)`);
    await sql.query(`DELETE FROM entries WHERE match <> 'prefix'`);
    const changes = await received();
    const lists = [
      { kind: "entries", orgId: "org_1", agentId: "agt_1" },
      { kind: "entries", orgId: "org_2", agentId: "agt_2" },
      { kind: "entries", orgId: "org_1", agentId: null },
    ];
    expect(changes).toHaveLength(6);
    expect(changes.slice(0, 3)).toEqual(expect.arrayContaining(lists));
    expect(changes.slice(3)).toEqual(expect.arrayContaining(lists));
    await sql.query(`DELETE FROM entries`);
    expect(await received()).toEqual([lists[0]]);
  });

  test("send nothing for an update of hits and last hit only, and name both lists of an entry moved", async () => {
    await sql.query(
      `INSERT INTO entries (org_id, agent_id, value) VALUES ('org_1', 'agt_1', '+14155550001')`,
    );
    await listen();
    await sql.query(`UPDATE entries SET hits = hits + 3, last_hit_at = now()`);
    await sql.query(`UPDATE entries SET note = 'from the front desk'`);
    await sql.query(`UPDATE entries SET agent_id = NULL`);
    expect(await received()).toEqual([
      { kind: "entries", orgId: "org_1", agentId: "agt_1" },
      expect.anything(),
      expect.anything(),
    ]);
    await sql.query(`UPDATE entries SET agent_id = 'agt_1'`);
    const moved = await received();
    expect(moved).toHaveLength(2);
    expect(moved).toEqual(
      expect.arrayContaining([
        { kind: "entries", orgId: "org_1", agentId: "agt_1" },
        { kind: "entries", orgId: "org_1", agentId: null },
      ]),
    );
    await sql.query(`DELETE FROM entries`);
    await received();
  });

  test("send one notification that drops every list for a statement over more than 20 lists", async () => {
    await sql.query(`INSERT INTO agents (id, organization_id, name)
      SELECT 'agt_bulk_' || i, 'org_1', 'bulk' FROM generate_series(1, 21) i`);
    await listen();
    const insert = (agents: number) =>
      sql.query(
        `INSERT INTO entries (org_id, agent_id, value)
         SELECT 'org_1', 'agt_bulk_' || i, '+14155550100' FROM generate_series(1, $1::int) i`,
        [agents],
      );
    await insert(20);
    expect(await received()).toHaveLength(20);
    await sql.query(`DELETE FROM entries WHERE agent_id LIKE 'agt_bulk_%'`);
    expect(await received()).toHaveLength(20);
    await insert(21);
    await sql.query(`UPDATE entries SET reason = 'spam'`);
    await sql.query(`DELETE FROM agents WHERE id LIKE 'agt_bulk_%'`);
    expect(await received()).toEqual([
      { kind: "entries" },
      { kind: "entries" },
      { kind: "agents", agentIds: expect.arrayContaining(["agt_bulk_1", "agt_bulk_21"]) },
      { kind: "entries" },
    ]);
  });

  test("name the keys revoked, changed or deleted, and nothing for last_used_at", async () => {
    await listen();
    await sql.query(`UPDATE api_keys SET last_used_at = now()`);
    await sql.query(`UPDATE api_keys SET read_only = read_only`);
    await sql.query(`UPDATE api_keys SET revoked_at = now() WHERE id = 'key_1'`);
    await sql.query(`UPDATE api_keys SET read_only = true WHERE id = 'key_2'`);
    await sql.query(`DELETE FROM api_keys WHERE id = 'key_3'`);
    expect(await received()).toEqual([
      { kind: "keys", hashes: ["01"] },
      { kind: "keys", hashes: ["02"] },
      { kind: "keys", hashes: ["03"] },
    ]);
  });

  test("name the users whose memberships went and the agents deleted or moved, nothing for a rename", async () => {
    await listen();
    await sql.query(`UPDATE agents SET name = 'Renamed'`);
    await sql.query(`DELETE FROM memberships WHERE user_id = 'usr_2' AND organization_id = 'org_1'`);
    await sql.query(`UPDATE agents SET organization_id = 'org_1' WHERE id = 'agt_2'`);
    await sql.query(`UPDATE agents SET organization_id = 'org_2' WHERE id = 'agt_2'`);
    await sql.query(`INSERT INTO memberships (user_id, organization_id) VALUES ('usr_2', 'org_1')`);
    expect(await received()).toEqual([
      { kind: "memberships", userIds: ["usr_2"] },
      { kind: "agents", agentIds: ["agt_2"] },
      { kind: "agents", agentIds: ["agt_2"] },
    ]);
  });

  test("follow deletions that cascade from a user or an organization", async () => {
    await listen();
    await sql.query(
      `INSERT INTO entries (org_id, agent_id, value) VALUES ('org_2', 'agt_2', '+14155550009')`,
    );
    await received();
    await sql.query(`DELETE FROM organizations WHERE id = 'org_2'`);
    expect(await received()).toEqual(
      expect.arrayContaining([
        { kind: "memberships", userIds: ["usr_2"] },
        { kind: "agents", agentIds: ["agt_2"] },
        { kind: "entries", orgId: "org_2", agentId: "agt_2" },
      ]),
    );
    await sql.query(`DELETE FROM users WHERE id = 'usr_2'`);
    expect(await received()).toEqual(
      expect.arrayContaining([
        { kind: "keys", hashes: ["02"] },
        { kind: "memberships", userIds: ["usr_2"] },
      ]),
    );
  });

  test("send nothing for a transaction that rolls back", async () => {
    await listen();
    await sql.query("BEGIN");
    await sql.query(`UPDATE api_keys SET revoked_at = now()`);
    await sql.query(`DELETE FROM entries`);
    await sql.query("ROLLBACK");
    expect(await received()).toEqual([]);
  });

  test("say what kind of thing was truncated, with no ids: listeners drop all of it", async () => {
    await listen();
    await sql.query("TRUNCATE entries");
    expect(await received()).toEqual([{ kind: "entries" }]);
  });
});

describe("startChangeListener", () => {
  test("reports the lost connection and listens again on a new one", async () => {
    await listen();
    events = [];
    const terminated = await sql.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
      [LISTENER_APPLICATION_NAME],
    );
    expect(terminated.rowCount).toBe(1);
    await expect.poll(() => events.slice(0, 2)).toEqual(["lost", "listening"]);
    events = [];
    await sql.query(`UPDATE api_keys SET revoked_at = now() WHERE id = 'key_1'`);
    expect(await received()).toEqual([{ kind: "keys", hashes: ["01"] }]);
  });

  test("hears the heartbeats it sends through the pool, in order, and stops reconnecting once stopped", async () => {
    const sent: number[] = [];
    const delivered: number[] = [];
    const heartbeatPool = {
      query(text: string, values: unknown[]) {
        sent.push(performance.now());
        return pool.query(text, values);
      },
    };
    let listeningAt = 0;
    await new Promise<void>((resolve) => {
      listener = startChangeListener({
        connectionString: database.url,
        heartbeatPool,
        heartbeatMs: 20,
        onListening: () => {
          listeningAt = performance.now();
          resolve();
        },
        onDelivered: (since) => delivered.push(since),
        onNotification: () => {},
        onLost: () => {},
      });
    });
    await expect.poll(() => delivered.length).toBeGreaterThan(2);
    // Each heard heartbeat went through the pool after LISTEN and vouches for no later than its send: `since` is
    // taken just before the send, heartbeats are heard in the order sent, each once.
    expect(sent[0]).toBeGreaterThanOrEqual(listeningAt);
    const sends = delivered.map((since) => sent.findIndex((sentAt) => sentAt >= since));
    expect(sends.every((index, k) => index >= 0 && index > (sends[k - 1] ?? -1))).toBe(true);
    await listener?.stop();
    // The server ends a backend shortly after its client left.
    const listening = async () =>
      (
        await sql.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
          [LISTENER_APPLICATION_NAME],
        )
      ).rowCount;
    await expect.poll(listening).toBe(0);
  });
});
