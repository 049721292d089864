// What the `created` events cost the published POST (issue 12): insertBlockedNumbers of 10,000 new numbers to a
// fresh agent, on a table of 300,000 entries and 300,000 events spread over 3,000 agents, in a throwaway embedded
// PostgreSQL. Each round times every variant in turn (the agent deleted and both tables vacuumed after each), so
// the machine's load falls on all of them alike; medians over the rounds.
//   pnpm --filter @blocklist/db exec tsx scripts/measure-post-history.ts [rounds=7] [statement-reps=15] [explain]
// (the second part repeats the INSERT statement alone in rolled-back transactions; `explain` prints its plans)
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { insertBlockedNumbers } from "../src/blockedNumbers";
import { createPrismaClient, poolOf } from "../src/client";
import { startEmbeddedPostgres } from "../src/embedded-postgres";
import { migrateDatabase } from "../src/migrate";
import { defaultMigrationsDir, migrationsBefore } from "../src/paths";

// "As built" is the schema these variants were measured against: the events as the migration entry_history
// made them, before the change this measurement led to (which dropped UNIQUE (id) and the SHA-256 of the id).
const ADOPTED_MIGRATION = "20261202040000_event_id_cheaper";

const ROUNDS = Number(process.argv[2] ?? 7);
const STATEMENT_REPS = Number(process.argv[3] ?? 15);
const ENTRIES = 300_000;
const AGENTS = 3_000;
const NUMBERS = 10_000;

// The statement's text can be rewritten per variant (the throwaway script's way of trying another history CTE
// without another build of history.ts).
let rewrite = (text: string) => text;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [first] = args;
  if (typeof first === "string") args[0] = rewrite(first);
  else if (first !== null && typeof first === "object" && "text" in first)
    args[0] = { ...first, text: rewrite((first as { text: string }).text) };
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

// The actor's parameters stay used (by a CTE nothing reads, so never run).
const withoutHistory = (text: string) =>
  text.replace(/history AS \([\s\S]*ORDER BY e\.seq\) r\)/, (cte) => {
    const actor = [...cte.matchAll(/\$(\d+)::text/g)].map((match) => `$${match[1]}::text`);
    return `history AS (SELECT ${actor.length > 0 ? actor.join(", ") : "1"})`;
  });
const asJson = (text: string) => text.replace(/jsonb_build_object\(/g, "json_build_object(");

const BUILT_ID = `'evt_' || left(translate(encode(substr(sha256(uuid_send(gen_random_uuid())), 1, 30), 'base64'), '+/', ''), 20)`;
const CHEAP_ID = `'evt_' || left(translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/', 'AB'), 20)`;
const setEventId = (expression: string) =>
  `CREATE OR REPLACE FUNCTION blocklist_new_event_id() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT ${expression} $$`;

interface Variant {
  name: string;
  setUp?: string;
  tearDown?: string;
  rewrite?: (text: string) => string;
  /** The bench baseline's bare statement instead of insertBlockedNumbers. */
  bare?: true;
}

const DROP_ID = "DROP INDEX entry_events_id_key";
const ADD_ID = `CREATE UNIQUE INDEX "entry_events_id_key" ON "entry_events"("id")`;
const DROP_AT = "DROP INDEX entry_events_at_idx";
const ADD_AT = `CREATE INDEX "entry_events_at_idx" ON "entry_events"("at")`;

const VARIANTS: Variant[] = [
  { name: "as built" },
  { name: "without UNIQUE (id)", setUp: DROP_ID, tearDown: ADD_ID },
  { name: "without (at)", setUp: DROP_AT, tearDown: ADD_AT },
  { name: "without UNIQUE (id) and (at)", setUp: `${DROP_ID}; ${DROP_AT}`, tearDown: `${ADD_ID}; ${ADD_AT}` },
  { name: "id without sha256", setUp: setEventId(CHEAP_ID), tearDown: setEventId(BUILT_ID) },
  {
    name: "entry as json (json_build_object)",
    setUp: "ALTER TABLE entry_events ALTER entry TYPE json USING entry::json",
    tearDown: "ALTER TABLE entry_events ALTER entry TYPE jsonb USING entry::jsonb",
    rewrite: asJson,
  },
  {
    name: "no UNIQUE (id), no (at), json",
    setUp: `${DROP_ID}; ${DROP_AT}; ALTER TABLE entry_events ALTER entry TYPE json USING entry::json`,
    tearDown: `${ADD_ID}; ${ADD_AT}; ALTER TABLE entry_events ALTER entry TYPE jsonb USING entry::jsonb`,
    rewrite: asJson,
  },
  {
    name: "all four (no UNIQUE (id), no (at), json, id without sha256)",
    setUp: `${DROP_ID}; ${DROP_AT}; ALTER TABLE entry_events ALTER entry TYPE json USING entry::json; ${setEventId(CHEAP_ID)}`,
    tearDown: `${ADD_ID}; ${ADD_AT}; ALTER TABLE entry_events ALTER entry TYPE jsonb USING entry::jsonb; ${setEventId(BUILT_ID)}`,
    rewrite: asJson,
  },
  { name: "no history (floor)", rewrite: withoutHistory },
  { name: "bare baseline statement", bare: true },
];

const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const numbersOf = (run: number) =>
  Array.from({ length: NUMBERS }, (_, i) => `+1415${String(run * NUMBERS + i).padStart(7, "0")}`);

function report(title: string, times: Map<string, number[]>): void {
  process.stdout.write(
    `\n${title}\n| variant | median ms | min ms | runs (ms) |\n| --- | ---: | ---: | --- |\n`,
  );
  for (const [name, values] of times) {
    const runs = values.map((value) => value.toFixed(0)).join(", ");
    process.stdout.write(
      `| ${name} | ${median(values).toFixed(0)} | ${Math.min(...values).toFixed(0)} | ${runs} |\n`,
    );
  }
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-measure-post-history-"));
const migrationsDir = path.join(dataDir, "migrations-before");
await cp(defaultMigrationsDir(), migrationsDir, {
  recursive: true,
  filter: migrationsBefore(ADOPTED_MIGRATION),
});
const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "data") });
try {
  await migrateDatabase(server.url, { migrationsDir });
  const db = createPrismaClient(server.url);
  const sql = poolOf(db);
  // Stopping the server at the end (or after a failure) ends idle connections: not an error of the run.
  sql.on("error", () => {});
  await sql.query(`
    INSERT INTO users (id, name) VALUES ('usr_1', 'u');
    INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_1', 'usr_1', '\\x01', 'bl_1');
    INSERT INTO organizations (id, name) SELECT 'org_' || i, 'o' FROM generate_series(0, ${AGENTS / 10 - 1}) i;
    INSERT INTO agents (id, organization_id, name)
      SELECT 'agt_' || i, 'org_' || (i / 10), 'a' FROM generate_series(0, ${AGENTS - 1}) i;
    INSERT INTO entries (org_id, agent_id, value, created_by_key_id, created_via, created_at)
      SELECT 'org_' || ((i % ${AGENTS}) / 10), 'agt_' || (i % ${AGENTS}), '+1201' || lpad(i::text, 7, '0'),
        'key_1', 'rest', now() - interval '1 second' * (${ENTRIES} - i)
      FROM generate_series(0, ${ENTRIES - 1}) i;
    INSERT INTO entry_events (org_id, agent_id, entry_id, type, at, entry, by_user_id, by_key_prefix, via)
      SELECT org_id, agent_id, id, 'created', created_at,
        jsonb_build_object('id', id, 'orgId', org_id, 'agentId', agent_id, 'match', match, 'value', value,
          'action', action, 'direction', direction, 'reason', reason, 'note', note, 'expiresAt', NULL,
          'createdAt', created_at, 'createdBy', jsonb_build_object('userId', 'usr_1', 'keyPrefix', 'bl_1', 'via', 'rest'),
          'hits', hits, 'lastHitAt', NULL),
        'usr_1', 'bl_1', 'rest'
      FROM entries ORDER BY seq;`);
  await sql.query("VACUUM ANALYZE");
  const post = async (variant: Variant, agentId: string, numbers: string[]) => {
    if (variant.bare) {
      await sql.query(
        `INSERT INTO entries (org_id, agent_id, value)
         SELECT a.organization_id, a.id, number FROM agents a, unnest($2::text[]) AS number WHERE a.id = $1
         ON CONFLICT (org_id, agent_id, match, value, action, direction) WHERE NOT expired DO NOTHING
         RETURNING value AS e164`,
        [agentId, numbers],
      );
      return;
    }
    const by = { keyId: "key_1", via: "rest" as const };
    const added = await insertBlockedNumbers(db, { orgId: "org_0", agentId }, numbers, by);
    if (added.length !== NUMBERS) throw new Error(`${variant.name}: added ${added.length}`);
  };
  process.stdout.write(`entries: ${ENTRIES}, events: ${ENTRIES}, agents: ${AGENTS}, rounds: ${ROUNDS}\n`);
  process.stdout.write(`load before: ${load()}\n`);

  const endToEnd = new Map<string, number[]>(VARIANTS.map((variant) => [variant.name, []]));
  let run = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const variant of VARIANTS) {
      run += 1;
      const agentId = `agt_m${run}`;
      await sql.query(`INSERT INTO agents (id, organization_id, name) VALUES ($1, 'org_0', 'm')`, [agentId]);
      if (variant.setUp) await sql.query(variant.setUp);
      rewrite = variant.rewrite ?? ((text) => text);
      const started = performance.now();
      await post(variant, agentId, numbersOf(run));
      endToEnd.get(variant.name)?.push(performance.now() - started);
      rewrite = (text) => text;
      if (variant.tearDown) await sql.query(variant.tearDown);
      await sql.query("DELETE FROM agents WHERE id = $1", [agentId]);
      await sql.query("VACUUM entries, entry_events");
    }
    process.stdout.write(`round ${round + 1} done, load ${load()}\n`);
  }
  if (ROUNDS > 0) report("insertBlockedNumbers end to end, a fresh agent each", endToEnd);

  // The INSERT statement alone (as insertBlockedNumbers sends it, captured once), each variant's DDL and the
  // statement in one transaction rolled back: no vacuum or index rebuild between, so many more repetitions.
  if (STATEMENT_REPS > 0 || process.argv[4] === "explain") {
    let captured: { text: string; values: unknown[] } | undefined;
    rewrite = (text) => text;
    const capture = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const [first] = args;
      if (first !== null && typeof first === "object" && "text" in first) {
        const { text, values } = first as { text: string; values: unknown[] };
        if (text.includes("INSERT INTO entries")) captured = { text, values };
      }
      return (capture as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
    await sql.query(`INSERT INTO agents (id, organization_id, name) VALUES ('agt_s', 'org_0', 's')`);
    await post(VARIANTS[0] as Variant, "agt_s", numbersOf(0));
    pg.Client.prototype.query = capture;
    await sql.query("DELETE FROM entries WHERE agent_id = 'agt_s'");
    await sql.query("DELETE FROM entry_events WHERE agent_id = 'agt_s'");
    await sql.query("VACUUM entries, entry_events");
    if (captured === undefined) throw new Error("no statement captured");
    const statement = captured;
    if (process.argv[4] === "explain") {
      // Where the time of the statement goes, node by node (one rolled-back run as built, one without history).
      for (const variant of [
        VARIANTS[0],
        VARIANTS.find((v) => v.name.startsWith("no history")),
      ] as Variant[]) {
        await sql.query("BEGIN");
        const text = (variant.rewrite ?? ((t: string) => t))(statement.text);
        const plan = await sql.query({
          text: `EXPLAIN (ANALYZE, BUFFERS, WAL) ${text}`,
          values: statement.values,
        });
        process.stdout.write(`\n${variant.name}:\n${plan.rows.map((row) => row["QUERY PLAN"]).join("\n")}\n`);
        await sql.query("ROLLBACK");
      }
    }
    const alone = new Map<string, number[]>(VARIANTS.map((variant) => [variant.name, []]));
    const client = await sql.connect();
    try {
      for (let rep = 0; rep < STATEMENT_REPS; rep += 1) {
        for (const variant of VARIANTS) {
          if (variant.bare) continue;
          await client.query("BEGIN");
          if (variant.setUp) await client.query(variant.setUp);
          const text = (variant.rewrite ?? ((t: string) => t))(statement.text);
          const started = performance.now();
          const { rowCount } = await client.query({ text, values: statement.values, rowMode: "array" });
          alone.get(variant.name)?.push(performance.now() - started);
          await client.query("ROLLBACK");
          if (rowCount !== NUMBERS) throw new Error(`${variant.name}: ${rowCount} rows`);
        }
        await client.query("VACUUM entries, entry_events");
        process.stdout.write(`statement rep ${rep + 1} done, load ${load()}\n`);
      }
    } finally {
      client.release();
    }
    alone.delete("bare baseline statement");
    report("the INSERT statement alone, rolled back", alone);
  }
  process.stdout.write(`load after: ${load()}\n`);
  await db.$disconnect();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
