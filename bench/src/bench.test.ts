// CI runs the quick benchmark end to end, so that `pnpm bench` cannot rot. It checks that every figure was
// measured and reported, never how fast anything was (the machine is shared and noisy).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CsvRun } from "./csv";
import { entriesListSizes } from "./entriesDataset";
import { entriesFiguresOf, figuresOf, scenarioLabels } from "./report";
import type { BenchResult } from "./run";

const benchDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("pnpm bench --quick", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "blocklist-bench-test-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("measures every figure on every server and reports each with its ratios, goals and the load", async () => {
    const markdown = path.join(dir, "BENCHMARKS.md");
    const json = path.join(dir, "result.json");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/main.ts", "--quick", "--out", markdown, "--json", json],
      // DATABASE_URL would make it use that server; the test wants the embedded one.
      { cwd: benchDir, env: { ...process.env, DATABASE_URL: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, output).toBe(0);

    const result = JSON.parse(await readFile(json, "utf8")) as BenchResult;
    expect(result.mode).toBe("quick");
    const figures = figuresOf(result);
    expect(figures.map((figure) => figure.label)).toHaveLength(16);
    for (const figure of figures) {
      const measured = JSON.stringify(figure);
      // Memory growth during a read may be nothing at all; everything else was measured, so it is above 0.
      const least = figure.label.includes("growth") ? 0 : Number.MIN_VALUE;
      expect(figure.service >= least && figure.baseline >= least, measured).toBe(true);
      expect(Number.isFinite(figure.service) && Number.isFinite(figure.baseline), measured).toBe(true);
      if (figure.baseline > 0) expect(Number.isFinite(figure.ratio), measured).toBe(true);
    }
    expect(result.bigListPaged.service.pages).toBe(result.dataset.bigList / result.dataset.pageSize);
    // The CSV run that ends a whole run: an export and an import on both sides, all measured, and in the report.
    const { csv } = result as BenchResult & { csv: CsvRun };
    expect([csv.export.rowsPerSecond, csv.import.service, csv.import.baseline].every((x) => x > 0)).toBe(
      true,
    );
    expect(await readFile(markdown, "utf8")).toContain("### CSV export and import (`pnpm bench --quick`");

    // `check` also against the all-in-memory reference: each of its four figures, and nothing else.
    const labels = scenarioLabels(result);
    const checkFigures = figures.filter((figure) => figure.label.startsWith(labels.check));
    expect(figures.filter((figure) => figure.memory !== undefined)).toEqual(checkFigures);
    expect(checkFigures).toHaveLength(4);
    for (const { memory, label } of checkFigures) {
      const measured = `${label}: ${JSON.stringify(memory)}`;
      expect(memory !== undefined && memory.value > 0 && Number.isFinite(memory.ratio), measured).toBe(true);
    }
    expect(result.check.memory.requests).toBeGreaterThan(0);
    // The goals of issue 12, each judged.
    expect(
      figures.flatMap((figure) => [figure.goal?.text, figure.memory?.goal?.text].filter((text) => text)),
    ).toEqual([
      "≥ 2.0× baseline",
      "≥ 0.5× all-in-memory",
      "≤ 1.0× baseline",
      "≥ 0.8× baseline",
      "≤ 1.2× baseline",
      "≤ 250 MB",
    ]);
    // `check` on the agent with entries against its numbers-only twin, every list of both held meanwhile.
    const entriesFigures = entriesFiguresOf(result);
    expect(entriesFigures).toHaveLength(4);
    for (const figure of entriesFigures) {
      const measured = JSON.stringify(figure);
      expect(figure.entries > 0 && figure.numbersOnly > 0 && Number.isFinite(figure.ratio), measured).toBe(
        true,
      );
    }
    expect(entriesFigures.map((figure) => figure.goal?.text).filter((text) => text)).toEqual([
      "≥ 0.9× numbers only",
    ]);
    const sizes = entriesListSizes(result.dataset);
    const { checkCache, scenario, rssBefore, rssAfter } = result.entriesHeld;
    expect(scenario).toEqual({ lists: 4, entries: sizes.agent + sizes.org + sizes.twin + 1 });
    expect(checkCache.trusted && checkCache.entries > scenario.entries && checkCache.lists > 4).toBe(true);
    expect(rssBefore > 0 && rssAfter > 0).toBe(true);
    // The machine's load at the start and end of every scenario.
    expect(Object.keys(result.loadAverages).sort()).toEqual(Object.keys(labels).sort());
    for (const { start, end } of Object.values(result.loadAverages)) {
      expect(Number.isFinite(start) && start >= 0 && Number.isFinite(end) && end >= 0).toBe(true);
    }

    const report = await readFile(markdown, "utf8");
    for (const figure of [...figures, ...entriesFigures]) expect(report).toContain(`| ${figure.label} |`);
    const goals = [...figures.flatMap((f) => [f.goal, f.memory?.goal]), ...entriesFigures.map((f) => f.goal)];
    for (const judged of goals) {
      if (judged) expect(report).toContain(`${judged.text}: **${judged.met ? "met" : "not met"}**`);
    }
    for (const [scenario, { start, end }] of Object.entries(result.loadAverages)) {
      const label = labels[scenario as keyof typeof labels];
      expect(report).toContain(`| ${label} | ${start.toFixed(1)} | ${end.toFixed(1)} |`);
    }
    expect(output).toContain(`| ${figures[0]?.label} |`);
  });
});
