// `pnpm bench --only csv` (issue 14): the CSV export of a list of 1,000,000 entries (rows per second, and how
// much the server's RSS grows while it streams) and the import of a 100,000-row file against what a user could
// write instead, measured in the same run: the same file split by hand, each number validated with
// libphonenumber-js (`max`), and one INSERT … SELECT unnest of the rows.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { generateApiKey } from "@blocklist/api";
import pg from "pg";
import { createPool, normalize } from "./baseline/reference";
import { createBenchDatabase } from "./database";
import { numberAt, numberAtSql } from "./dataset";
import { currentLoadAverage, describeMachine, type Machine } from "./machine";
import { withPeakMemory } from "./memory";
import { startServiceServer } from "./processes";

export interface CsvSize {
  /** Entries of the exported list. */
  exported: number;
  /** Rows of the imported file. */
  imported: number;
  rounds: number;
}

export const FULL_CSV: CsvSize = { exported: 1_000_000, imported: 100_000, rounds: 3 };
export const QUICK_CSV: CsvSize = { exported: 50_000, imported: 10_000, rounds: 1 };

export interface CsvRun {
  kind: "csv";
  startedAt: string;
  machine: Machine;
  size: CsvSize;
  database: string;
  /** The best round of the export: rows per second, and the RSS growth of the server while it streamed (bytes). */
  export: { seconds: number; rowsPerSecond: number; rssGrowth: number };
  /** Median seconds of one import of the file, the service's and the hand-written baseline's. */
  import: { service: number; baseline: number };
}

const ORG = "org_benchcsv000000000000";
const USER = "usr_benchcsv000000000000";
const agent = (index: number) => `agt_benchcsv${String(index).padStart(12, "0")}`;

async function seed(url: string, size: CsvSize): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const key = generateApiKey();
    await client.query("INSERT INTO users (id, name) VALUES ($1, 'csv bench')", [USER]);
    await client.query("INSERT INTO organizations (id, name) VALUES ($1, 'csv bench')", [ORG]);
    await client.query("INSERT INTO memberships (user_id, organization_id) VALUES ($1, $2)", [USER, ORG]);
    await client.query(
      `INSERT INTO agents (id, organization_id, name)
       SELECT 'agt_benchcsv' || lpad(a::text, 12, '0'), $1, 'csv agent ' || a FROM generate_series(0, $2::int) AS a`,
      [ORG, 2 * size.rounds + 2],
    );
    await client.query(
      "INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_benchcsv000000000000', $1, $2, $3)",
      [USER, Buffer.from(key.hash), key.prefix],
    );
    // Every kind of cell an export writes: reasons, notes that need quoting, expiries.
    await client.query(
      `INSERT INTO entries (org_id, agent_id, value, reason, note, expires_at)
       SELECT $1, $2, ${numberAtSql("row")}, CASE WHEN row % 3 = 0 THEN 'spam' END,
         CASE WHEN row % 5 = 0 THEN 'called ' || row || ' times, "rude"' END,
         CASE WHEN row % 7 = 0 THEN now() + interval '30 days' END
       FROM generate_series(0, $3::int - 1) AS row`,
      [ORG, agent(0), size.exported],
    );
    await client.query("VACUUM ANALYZE entries");
    return key.secret;
  } finally {
    await client.end();
  }
}

/** Reads a whole CSV answer, counting its lines as they arrive (nothing is kept). */
async function readCsv(url: string, apiKey: string): Promise<number> {
  const response = await fetch(url, { headers: { "X-Authorization": apiKey, Accept: "text/csv" } });
  if (response.status !== 200 || !response.body) throw new Error(`export answered ${response.status}`);
  let lines = 0;
  for await (const chunk of response.body) {
    for (const byte of chunk as Uint8Array) if (byte === 0x0a) lines++;
  }
  return lines;
}

/** What a user could write instead: split by hand, validate each number, one INSERT … SELECT unnest. */
async function baselineImport(pool: pg.Pool, file: string, agentId: string): Promise<number> {
  const values: string[] = [];
  const reasons: string[] = [];
  for (const line of file.split("\n").slice(1)) {
    if (line === "") continue;
    const [, value = "", reason = ""] = line.split(",");
    const e164 = normalize(value);
    if (e164 !== null) {
      values.push(e164);
      reasons.push(reason);
    }
  }
  const { rowCount } = await pool.query(
    `INSERT INTO entries (org_id, agent_id, value, reason)
     SELECT $1, $2, v, r FROM unnest($3::text[], $4::text[]) AS n(v, r)
     ON CONFLICT (org_id, agent_id, match, value, action, direction) WHERE NOT expired DO NOTHING`,
    [ORG, agentId, values, reasons],
  );
  return rowCount ?? 0;
}

async function serviceImport(baseUrl: string, apiKey: string, file: string, agentId: string) {
  const query = new URLSearchParams({ uid: USER, agentId });
  const response = await fetch(`${baseUrl}/api/block-list-entries?${query}`, {
    method: "POST",
    headers: { "X-Authorization": apiKey, "Content-Type": "text/csv" },
    body: file,
  });
  const body = (await response.json()) as { created?: unknown[] };
  if (response.status !== 200) throw new Error(`import answered ${response.status} ${JSON.stringify(body)}`);
  return body.created?.length ?? 0;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function runCsvBenchmark(options: {
  quick: boolean;
  databaseUrl?: string | undefined;
  log: (line: string) => void;
}): Promise<CsvRun> {
  const { log } = options;
  const size = options.quick ? QUICK_CSV : FULL_CSV;
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-bench-csv-"));
  const database = await createBenchDatabase(options.databaseUrl);
  const pool = createPool(database.url, 2);
  try {
    log(`Seeding a list of ${size.exported.toLocaleString("en")} entries`);
    const apiKey = await seed(database.url, size);
    const service = await startServiceServer({
      databaseUrl: database.url,
      poolMax: 10,
      logFile: path.join(workDir, "service.log"),
    });
    try {
      const exportUrl = `${service.url}/api/block-list-entries?${new URLSearchParams({ uid: USER, agentId: agent(0) })}`;
      log(`Export: ${size.rounds + 1} rounds (the first warms up)`);
      const exports: CsvRun["export"][] = [];
      for (let round = 0; round <= size.rounds; round++) {
        const started = performance.now();
        const {
          result: lines,
          peak,
          before,
        } = await withPeakMemory(service.pid, () => readCsv(exportUrl, apiKey));
        const seconds = (performance.now() - started) / 1000;
        if (lines !== size.exported + 1) throw new Error(`export had ${lines} lines`);
        if (round > 0)
          exports.push({ seconds, rowsPerSecond: size.exported / seconds, rssGrowth: peak - before });
      }
      const file = `match,value,reason\n${Array.from(
        { length: size.imported },
        (_, i) => `number,${numberAt(size.exported + i)},spam`,
      ).join("\n")}\n`;
      log(
        `Import of ${size.imported.toLocaleString("en")} rows: service and baseline, ${size.rounds} rounds each`,
      );
      const times = { service: [] as number[], baseline: [] as number[] };
      // Each round imports into empty lists of its own; the two take turns going first.
      for (let round = 0; round < size.rounds; round++) {
        const sides = [
          async () => {
            const started = performance.now();
            const created = await serviceImport(service.url, apiKey, file, agent(1 + 2 * round));
            times.service.push((performance.now() - started) / 1000);
            if (created !== size.imported) throw new Error(`service created ${created}`);
          },
          async () => {
            const started = performance.now();
            const created = await baselineImport(pool, file, agent(2 + 2 * round));
            times.baseline.push((performance.now() - started) / 1000);
            if (created !== size.imported) throw new Error(`baseline created ${created}`);
          },
        ];
        for (const side of round % 2 === 0 ? sides : sides.reverse()) await side();
      }
      machine.loadAverage.end = currentLoadAverage();
      const best = exports.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
      return {
        kind: "csv",
        startedAt,
        machine,
        size,
        database: database.description,
        export: { ...best, rssGrowth: Math.max(...exports.map((run) => run.rssGrowth)) },
        import: { service: median(times.service), baseline: median(times.baseline) },
      };
    } finally {
      await service.stop();
    }
  } finally {
    await pool.end();
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  }
}

const MB = 1024 * 1024;

/** The run's figures against issue 14's goals, as Markdown. */
export function renderCsvRun(run: CsvRun, command: string): string {
  const ratio = run.import.service / run.import.baseline;
  const met = (ok: boolean) => (ok ? "met" : "not met");
  return [
    `### CSV export and import (\`${command}\`, ${run.startedAt})`,
    "",
    `Load average ${run.machine.loadAverage.start} → ${run.machine.loadAverage.end}; ${run.database}.`,
    "",
    "| figure | measured | goal | |",
    "| --- | --- | --- | --- |",
    `| export of ${run.size.exported.toLocaleString("en")} entries, rows/s | ${Math.round(run.export.rowsPerSecond).toLocaleString("en")} (${run.export.seconds.toFixed(2)} s) | ≥ 200,000 | ${met(run.export.rowsPerSecond >= 200_000)} |`,
    `| server RSS growth during the export | ${(run.export.rssGrowth / MB).toFixed(1)} MB | ≤ 30 MB | ${met(run.export.rssGrowth <= 30 * MB)} |`,
    `| import of ${run.size.imported.toLocaleString("en")} rows against the baseline | ${ratio.toFixed(2)}× (${run.import.service.toFixed(2)} s vs ${run.import.baseline.toFixed(2)} s) | ≤ 2× | ${met(ratio <= 2)} |`,
  ].join("\n");
}
