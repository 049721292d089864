// The run's figures as a Markdown section: printed by `pnpm bench`, and written into docs/BENCHMARKS.md
// (between two markers, so that the hand-written analysis around it stays) by the full run.
import type { BenchResult, Pair } from "./run";
import type { BigListRead } from "./scenarios";

export const RESULTS_START = "<!-- bench:results:start -->";
export const RESULTS_END = "<!-- bench:results:end -->";

export interface Figure {
  label: string;
  unit: string;
  service: number;
  baseline: number;
  /** service ÷ baseline. */
  ratio: number;
  /** The goal (issue 6) this figure is held to, and whether the run met it. */
  goal?: { text: string; met: boolean };
}

const MB = 1024 * 1024;

/** Every figure of the run, each with its ratio against the baseline. */
export function figuresOf(result: BenchResult): Figure[] {
  const { dataset, settings } = result;
  const count = (n: number) => n.toLocaleString("en");
  const check = `\`check\`, ${settings.checkConnections} connections`;
  const list = `GET a ${count(dataset.mediumList)}-number list, ${settings.listConnections} connections`;
  const post = `POST ${count(dataset.postBatch)} new numbers into the ${count(dataset.numbers)}-row table`;
  const whole = `GET the ${count(dataset.bigList)}-number list whole`;
  const paged = `GET the ${count(dataset.bigList)}-number list in ${result.bigListPaged.service.pages} pages of ${count(dataset.pageSize)}`;
  const { check: c, list: l, bigListWhole: w, bigListPaged: p } = result;
  return [
    figure(
      `${check}: throughput`,
      "req/s",
      pick(c, (r) => r.requestsPerSecond),
      atLeastRatio(1),
    ),
    figure(
      `${check}: p50 latency`,
      "ms",
      pick(c, (r) => r.p50),
    ),
    figure(
      `${check}: p99 latency`,
      "ms",
      pick(c, (r) => r.p99),
      (f) => ({ text: "< 2 ms", met: f.service < 2 }),
    ),
    figure(
      `${check}: server CPU per request`,
      "ms",
      pick(c, (r) => r.cpuMsPerRequest),
    ),
    figure(
      `${list}: throughput`,
      "req/s",
      pick(l, (r) => r.requestsPerSecond),
      atLeastRatio(0.5),
    ),
    figure(
      `${list}: p99 latency`,
      "ms",
      pick(l, (r) => r.p99),
    ),
    figure(
      `${list}: server CPU per request`,
      "ms",
      pick(l, (r) => r.cpuMsPerRequest),
    ),
    figure(
      `${post}: time (median)`,
      "s",
      pick(result.post, (r) => r.seconds),
      (f) => ({
        text: "< 1 s and ≤ 1.5× baseline",
        met: f.service < 1 && f.ratio <= 1.5,
      }),
    ),
    figure(
      `${post}: server CPU (median)`,
      "s",
      pick(result.post, (r) => r.cpuSeconds),
    ),
    ...bigListFigures(whole, w),
    ...bigListFigures(paged, p),
    figure(
      "Server RSS after the run",
      "MB",
      pick(result.rssAfter, (bytes) => bytes / MB),
      (f) => ({
        text: "≤ 300 MB",
        met: f.service <= 300,
      }),
    ),
  ];
}

/** The three figures of one way of reading the big list: its time, the server's peak RSS and its growth. */
function bigListFigures(label: string, reads: Pair<BigListRead>): Figure[] {
  return [
    figure(
      `${label}: time (median)`,
      "s",
      pick(reads, (r) => r.seconds),
    ),
    figure(
      `${label}: peak server RSS`,
      "MB",
      pick(reads, (r) => r.peakRss / MB),
    ),
    figure(
      `${label}: RSS growth during the read`,
      "MB",
      pick(reads, (r) => r.rssGrowth / MB),
    ),
  ];
}

function figure(
  label: string,
  unit: string,
  pair: Pair<number>,
  goal?: (f: Figure) => Figure["goal"],
): Figure {
  const base: Figure = { label, unit, ...pair, ratio: pair.service / pair.baseline };
  return goal ? { ...base, goal: goal(base) } : base;
}

function atLeastRatio(least: number): (f: Figure) => Figure["goal"] {
  return (f) => ({ text: `≥ ${least.toFixed(1)}× baseline`, met: f.ratio >= least });
}

function pick<T>(pair: Pair<T>, value: (side: T) => number): Pair<number> {
  return { service: value(pair.service), baseline: value(pair.baseline) };
}

function formatNumber(value: number, unit: string): string {
  if (unit === "s") return value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(2)} s`;
  if (unit === "MB") return `${value.toFixed(0)} MB`;
  if (unit === "ms") return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
  return `${value.toFixed(0)} ${unit}`;
}

/** The results section: table, machine, dataset, command. */
export function renderResults(result: BenchResult, command: string): string {
  const { machine, dataset, settings } = result;
  const rows = figuresOf(result).map((f) => {
    const goal = f.goal ? `${f.goal.text}: **${f.goal.met ? "met" : "not met"}**` : "";
    const ratio = Number.isFinite(f.ratio) ? `${f.ratio.toFixed(2)}×` : "—";
    return `| ${f.label} | ${formatNumber(f.service, f.unit)} | ${formatNumber(f.baseline, f.unit)} | ${ratio} | ${goal} |`;
  });
  const count = (n: number) => n.toLocaleString("en");
  const gib = (machine.memoryBytes / 1024 ** 3).toFixed(0);
  const load = `${machine.loadAverage.start.toFixed(1)} at the start, ${machine.loadAverage.end?.toFixed(1) ?? "?"} at the end`;
  return [
    `Run of ${result.startedAt} (${result.mode} mode): \`${command}\``,
    "",
    "| figure | service | baseline | service ÷ baseline | goal |",
    "| --- | ---: | ---: | ---: | --- |",
    ...rows,
    "",
    `- **Machine**: ${machine.cpus} CPUs (${machine.cpuModel}), ${gib} GiB memory, Node.js ${machine.node}; ` +
      `1-minute load average ${load} (anything well above ${machine.cpus} means other work shared the CPUs).`,
    `- **Database**: ${result.database}. Both servers use a pool of ${settings.poolMax} connections.`,
    `- **Dataset**: ${count(dataset.numbers)} blocked numbers (valid US numbers) across ${count(dataset.agents)} agents ` +
      `in ${count(Math.ceil(dataset.agents / dataset.agentsPerOrganization))} organizations; one agent holds ` +
      `${count(dataset.bigList)}, one ${count(dataset.mediumList)}, the others share the rest. Seeded in ` +
      `${result.seedSeconds.toFixed(1)} s.`,
    ...timeoutNote(result),
    `- **Runs**: loads of ${settings.loadSeconds} s, ${settings.loadRounds} per server, averaged; POSTs and ` +
      `big-list reads ${settings.timedRounds} per server, median time and highest peak; the two servers take turns ` +
      "(service first, then baseline first), after a warm-up of every scenario on both.",
  ].join("\n");
}

function timeoutNote(result: BenchResult): string[] {
  const loads = { "`check`": result.check, "the list load": result.list };
  const notes = Object.entries(loads).flatMap(([name, pair]) =>
    pair.service.timeouts + pair.baseline.timeouts === 0
      ? []
      : [
          `${name}: ${pair.service.timeouts} (service) and ${pair.baseline.timeouts} (baseline) requests timed out`,
        ],
  );
  return notes.length === 0 ? [] : [`- **Timeouts** (no answer within a minute): ${notes.join("; ")}.`];
}

/** `document` with its results section replaced (or, without markers, a new section appended). */
export function replaceResults(document: string, results: string): string {
  const section = `${RESULTS_START}\n${results}\n${RESULTS_END}`;
  const start = document.indexOf(RESULTS_START);
  const end = document.indexOf(RESULTS_END);
  if (start === -1 || end === -1 || end < start) return `${document.trimEnd()}\n\n${section}\n`;
  return document.slice(0, start) + section + document.slice(end + RESULTS_END.length);
}
