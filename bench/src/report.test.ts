import { describe, expect, it } from "vitest";
import { FULL_DATASET } from "./dataset";
import { figuresOf, RESULTS_END, RESULTS_START, renderResults, replaceResults } from "./report";
import { type CheckRun, FULL_SETTINGS } from "./run";

describe("replaceResults", () => {
  it("replaces only the section between the markers, keeping the text around it", () => {
    const document = `# Benchmarks\n\nintro\n\n${RESULTS_START}\nold figures\n${RESULTS_END}\n\n## Analysis\n`;
    expect(replaceResults(document, "new figures")).toBe(
      `# Benchmarks\n\nintro\n\n${RESULTS_START}\nnew figures\n${RESULTS_END}\n\n## Analysis\n`,
    );
  });

  it("appends a section to a document that has none", () => {
    expect(replaceResults("# Benchmarks\n", "figures")).toBe(
      `# Benchmarks\n\n${RESULTS_START}\nfigures\n${RESULTS_END}\n`,
    );
  });
});

describe("renderResults of a run of check alone (pnpm bench --only check)", () => {
  const load = (requestsPerSecond: number) => ({
    requestsPerSecond,
    p50: 10,
    p99: 40,
    cpuMsPerRequest: 0.3,
    requests: requestsPerSecond * 20,
    timeouts: 0,
  });
  const run: CheckRun = {
    mode: "full",
    startedAt: "2026-12-01T20:00:00.000Z",
    machine: { cpus: 2, cpuModel: "cpu", memoryBytes: 2 * 1024 ** 3, node: "v20", loadAverage: { start: 1 } },
    dataset: FULL_DATASET,
    settings: FULL_SETTINGS,
    database: "embedded",
    seedSeconds: 10,
    check: { service: load(4000), baseline: load(2000), memory: load(10000) },
    loadAverages: { check: { start: 1, end: 2 } },
  };

  it("reports the four figures of check against both references, and the load while it ran", () => {
    expect(figuresOf(run).map((figure) => [figure.label, figure.ratio, figure.memory?.ratio])).toEqual([
      ["`check`, 50 connections: throughput", 2, 0.4],
      ["`check`, 50 connections: p50 latency", 1, 1],
      ["`check`, 50 connections: p99 latency", 1, 1],
      ["`check`, 50 connections: server CPU per request", 1, 1],
    ]);
    const report = renderResults(run, "pnpm bench --only check");
    expect(report).toContain("≥ 0.5× all-in-memory: **not met**");
    expect(report).toContain("| `check`, 50 connections | 1.0 | 2.0 |");
    expect(report).not.toContain("GET");
  });
});
