// `pnpm bench [--quick] [--only check|memory|csv] [--out FILE] [--json FILE]`: runs the benchmark and prints its
// results. The full run also writes them into docs/BENCHMARKS.md; the quick one (CI's) and a run of one part
// write only where --out says. --json saves every raw figure.
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { renderCsvRun, runCsvBenchmark } from "./csv";
import { repoDir } from "./processes";
import { renderMemoryRun, renderResults, replaceResults } from "./report";
import { isMemoryRun, runBenchmark } from "./run";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" },
    json: { type: "string" },
  },
});
const quick = values.quick ?? false;
const ONLY = ["check", "memory", "csv"] as const;
const only = ONLY.find((part) => part === values.only);
if (values.only !== undefined && only === undefined) {
  process.stderr.write(`--only takes check, memory or csv (not ${values.only})\n`);
  process.exit(2);
}
const command = ["pnpm bench", ...(quick ? ["--quick"] : []), ...(only ? ["--only", only] : [])].join(" ");
const log = (line: string) => process.stderr.write(`${line}\n`);
const databaseUrl = process.env.DATABASE_URL || undefined;
if (only === "csv") {
  // A run of its own (its own dataset and server): printed, and saved only where --out or --json say.
  const run = await runCsvBenchmark({ quick, databaseUrl, log });
  const results = renderCsvRun(run, command);
  process.stdout.write(`\n${results}\n`);
  if (values.json) await writeFile(values.json, `${JSON.stringify(run, null, 2)}\n`);
  if (values.out) await writeFile(values.out, `${results}\n`);
  process.exit(0);
}
const result = await runBenchmark({ quick, ...(only ? { only } : {}), databaseUrl, log });
// A whole run ends with the CSV run (its own dataset and server, after the others' are stopped).
const csv = only === undefined ? await runCsvBenchmark({ quick, databaseUrl, log }) : undefined;
let results = isMemoryRun(result) ? renderMemoryRun(result, command) : renderResults(result, command);
if (csv !== undefined) results += `\n\n${renderCsvRun(csv, command)}`;
process.stdout.write(`\n${results}\n`);

if (values.json) await writeFile(values.json, `${JSON.stringify({ ...result, csv }, null, 2)}\n`);
const out = values.out ?? (quick || only ? undefined : path.join(repoDir, "docs", "BENCHMARKS.md"));
if (out) {
  const document = await readFile(out, "utf8").catch(() => "# Benchmarks\n");
  await writeFile(out, replaceResults(document, results));
  formatIfInRepository(out);
  process.stderr.write(`Results written to ${path.relative(process.cwd(), out) || out}\n`);
}

/** Biome formats Markdown tables (`pnpm test` checks it); the generated ones are laid out the same way. */
function formatIfInRepository(file: string): void {
  const relative = path.relative(repoDir, path.resolve(file));
  if (relative.startsWith("..") || path.isAbsolute(relative)) return;
  const biome = path.join(repoDir, "node_modules", ".bin", "biome");
  const formatted = spawnSync(biome, ["format", "--write", relative], { cwd: repoDir, encoding: "utf8" });
  if (formatted.status !== 0) process.stderr.write(`biome format ${relative} failed:\n${formatted.stderr}`);
}
