import { describe, expect, it } from "vitest";
import { FULL_DATASET } from "./dataset";
import {
  entriesFiguresOf,
  figuresOf,
  RESULTS_END,
  RESULTS_START,
  renderResults,
  replaceResults,
} from "./report";
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
    entriesCheck: { entries: { ...load(3800), p99: 44 }, numbersOnly: load(4000) },
    entriesHeld: {
      checkCache: { trusted: true, lists: 204, entries: 232_001 },
      scenario: { lists: 4, entries: 121_001 },
      rssBefore: 300 * 1024 * 1024,
      rssAfter: 340 * 1024 * 1024,
    },
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

  it("reports check on the agent with entries against the agent with numbers only, its goal, and what was held", () => {
    const label =
      "`check` of an agent with 10,000 numbers and 1,000 prefixes, its organization 100,000 entries, 50 connections";
    expect(entriesFiguresOf(run)).toEqual([
      {
        label: `${label}: throughput`,
        unit: "req/s",
        entries: 3800,
        numbersOnly: 4000,
        ratio: 0.95,
        goal: { text: "≥ 0.9× numbers only", met: true },
      },
      { label: `${label}: p50 latency`, unit: "ms", entries: 10, numbersOnly: 10, ratio: 1 },
      { label: `${label}: p99 latency`, unit: "ms", entries: 44, numbersOnly: 40, ratio: 1.1 },
      { label: `${label}: server CPU per request`, unit: "ms", entries: 0.3, numbersOnly: 0.3, ratio: 1 },
    ]);
    const report = renderResults(run, "pnpm bench --only check");
    expect(report).toContain(
      `| ${label}: throughput | 3800 req/s | 4000 req/s | 0.95× | ≥ 0.9× numbers only: **met** |`,
    );
    expect(report).toContain(
      "held 204 lists of 232,001 entries in all, before and after the measured rounds, 4 of them (121,001 entries) " +
        "the lists of the two agents above; service RSS 300 MB just before those were loaded, 340 MB after",
    );
    expect(report).toContain("asked the same 200 callers, of which 72 are decided");
    const slower = { ...run, entriesCheck: { ...run.entriesCheck, entries: load(3000) } };
    expect(renderResults(slower, "pnpm bench --only check")).toContain(
      "0.75× | ≥ 0.9× numbers only: **not met** |",
    );
  });
});
