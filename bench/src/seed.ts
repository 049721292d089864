// Fills an empty, migrated database with the benchmark's dataset in a few set-based statements
// (generate_series, unnest): no row-by-row inserts, so a million numbers take seconds.
import { generateApiKey } from "@blocklist/api";
import pg from "pg";
import {
  agentOfRowSql,
  assertValidSize,
  BENCH_ID_DIGITS,
  BENCH_USER_ID,
  type DatasetSize,
  numberAtSql,
  userId,
} from "./dataset";
import { entriesAgents, entriesRows } from "./entriesDataset";

export interface SeededData {
  /** The read-write key of BENCH_USER_ID, a member of every organization. */
  apiKey: string;
  uid: string;
}

const BENCH_KEY_ID = "key_benchdriver000000000";

export async function seedDatabase(url: string, size: DatasetSize): Promise<SeededData> {
  assertValidSize(size);
  const organizations = Math.ceil(size.agents / size.agentsPerOrganization);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const existing = await client.query<{ n: string }>("SELECT count(*) AS n FROM entries");
    if (existing.rows[0]?.n !== "0") throw new Error("the benchmark seeds an empty database only");

    await client.query("BEGIN");
    await client.query(
      `INSERT INTO users (id, name)
       SELECT ${idSql("usr", "i")}, 'bench user ' || i FROM generate_series(0, $1::int - 1) AS i
       UNION ALL SELECT $2, 'bench driver'`,
      [organizations, BENCH_USER_ID],
    );
    await client.query(
      `INSERT INTO organizations (id, name)
       SELECT ${idSql("org", "i")}, 'bench org ' || i FROM generate_series(0, $1::int - 1) AS i`,
      [organizations],
    );
    await client.query(
      `INSERT INTO memberships (user_id, organization_id)
       SELECT ${idSql("usr", "i")}, ${idSql("org", "i")} FROM generate_series(0, $1::int - 1) AS i
       UNION ALL
       SELECT $2, ${idSql("org", "i")} FROM generate_series(0, $1::int - 1) AS i`,
      [organizations, BENCH_USER_ID],
    );
    await client.query(
      `INSERT INTO agents (id, organization_id, name)
       SELECT ${idSql("agt", "a")}, ${idSql("org", `a / ${size.agentsPerOrganization}`)}, 'bench agent ' || a
       FROM generate_series(0, $1::int - 1) AS a`,
      [size.agents],
    );

    // Keys are hashed by the service's own code, as `pnpm cli key create` would.
    const benchKey = generateApiKey();
    const userKeys = Array.from({ length: organizations }, () => generateApiKey());
    await client.query(
      `INSERT INTO api_keys (id, user_id, hash, prefix)
       SELECT id, user_id, hash, prefix FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[])
         AS key(id, user_id, hash, prefix)`,
      [
        [BENCH_KEY_ID, ...userKeys.map((_, i) => `key_bench${String(i).padStart(BENCH_ID_DIGITS, "0")}`)],
        [BENCH_USER_ID, ...userKeys.map((_, i) => userId(i))],
        [benchKey.hash, ...userKeys.map((key) => key.hash)].map((hash) => Buffer.from(hash)),
        [benchKey.prefix, ...userKeys.map((key) => key.prefix)],
      ],
    );

    await withoutSecondaryIndexes(client, "entries", async () => {
      // Shuffled, so that each agent's rows are spread over the table as years of use would leave them.
      await client.query("SELECT setseed(0.42)");
      await client.query(
        `INSERT INTO entries (org_id, agent_id, value)
         SELECT ${idSql("org", `(${agentOfRowSql("row", size)}) / ${size.agentsPerOrganization}`)},
           ${idSql("agt", agentOfRowSql("row", size))}, ${numberAtSql("row")}
         FROM generate_series(0, $1::int - 1) AS row
         ORDER BY random()`,
        [size.numbers],
      );
      await seedEntriesScenario(client, size);
    });
    await client.query("COMMIT");
    // Statistics and the visibility map, as a database that has been running a while would have them.
    await client.query("VACUUM ANALYZE");
    return { apiKey: benchKey.secret, uid: BENCH_USER_ID };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * The lists of the `check` scenario on entries: two organizations with one agent each (the agent with entries and
 * its numbers-only twin), the benchmark's user a member of both, and their rows from entriesRows() in one INSERT.
 */
async function seedEntriesScenario(client: pg.Client, size: DatasetSize): Promise<void> {
  const agents = Object.values(entriesAgents(size));
  await client.query(
    `INSERT INTO organizations (id, name) SELECT id, 'bench entries org ' || n FROM unnest($1::text[]) WITH ORDINALITY AS o(id, n)`,
    [agents.map((agent) => agent.orgId)],
  );
  await client.query(
    `INSERT INTO agents (id, organization_id, name)
     SELECT id, org_id, 'bench entries agent ' || n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS a(id, org_id, n)`,
    [agents.map((agent) => agent.agentId), agents.map((agent) => agent.orgId)],
  );
  await client.query(
    "INSERT INTO memberships (user_id, organization_id) SELECT $1, id FROM unnest($2::text[]) AS o(id)",
    [BENCH_USER_ID, agents.map((agent) => agent.orgId)],
  );
  const rows = entriesRows(size);
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
  await client.query(
    `INSERT INTO entries (org_id, agent_id, match, value, action, direction, reason, note, expires_at)
     SELECT org_id, agent_id, match, value, action, direction, reason, note, now() + days * interval '1 day'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::int[]) AS e(org_id, agent_id, match, value, action, direction, reason, note, days)`,
    [
      column("orgId"),
      column("agentId"),
      column("match"),
      column("value"),
      column("action"),
      column("direction"),
      column("reason"),
      column("note"),
      column("expiresInDays"),
    ],
  );
}

/**
 * Runs `work` with the table's secondary indexes and foreign keys dropped, then makes them again from the
 * definitions the catalog held (so they stay exactly what the migrations made): building an index once over a
 * million rows is far faster than a million inserts into it. Inside the caller's transaction.
 */
async function withoutSecondaryIndexes(client: pg.Client, table: string, work: () => Promise<void>) {
  const { rows: foreignKeys } = await client.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype = 'f'`,
    [table],
  );
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indrelid = $1::regclass AND NOT x.indisprimary`,
    [table],
  );
  for (const { name } of foreignKeys) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT "${name}"`);
  for (const { name } of indexes) await client.query(`DROP INDEX "${name}"`);
  await work();
  for (const { definition } of indexes) await client.query(definition);
  for (const { name, definition } of foreignKeys) {
    await client.query(`ALTER TABLE ${table} ADD CONSTRAINT "${name}" ${definition}`);
  }
}

/** SQL for the id of `prefix` and `index`, as agentId()/organizationId()/userId() write it. */
function idSql(prefix: string, index: string): string {
  return `'${prefix}_bench' || lpad((${index})::text, ${BENCH_ID_DIGITS}, '0')`;
}
