// The run's figures as a Markdown section: printed by `pnpm bench`, and written into docs/BENCHMARKS.md
// (between two markers, so that the hand-written analysis around it stays) by the full run.
import { entriesCallers } from "./entriesDataset";
import {
  type BenchResult,
  type CheckRun,
  isFullRun,
  type LoadAverage,
  type MemoryRun,
  type Scenario,
} from "./run";
import type { BigListRead, MeasuredLoad } from "./scenarios";
import { mapEach, type Pair } from "./sides";

export const RESULTS_START = "<!-- bench:results:start -->";
export const RESULTS_END = "<!-- bench:results:end -->";

/** A goal of issue 12 and whether the run met it. */
export interface Goal {
  text: string;
  met: boolean;
}

export interface Figure {
  label: string;
  unit: string;
  service: number;
  baseline: number;
  /** service ÷ baseline. */
  ratio: number;
  /** The goal held to the figure against the baseline. */
  goal?: Goal;
  /** `check` only: the all-in-memory reference's figure, service ÷ it, and the goal held to that ratio. */
  memory?: { value: number; ratio: number; goal?: Goal };
}

/** A figure of the check scenario on entries: the agent with entries against its numbers-only twin. */
export interface EntriesFigure {
  label: string;
  unit: string;
  entries: number;
  numbersOnly: number;
  /** entries ÷ numbersOnly. */
  ratio: number;
  goal?: Goal;
}

const MB = 1024 * 1024;

/** Every figure of the run, each with its ratio against the baseline (and `check`'s against the limit). */
export function figuresOf(result: CheckRun): Figure[] {
  return isFullRun(result) ? [...checkFigures(result), ...otherFigures(result)] : checkFigures(result);
}

function checkFigures(result: CheckRun): Figure[] {
  const { check } = scenarioLabels(result);
  const { check: c } = result;
  return [
    figure(
      `${check}: throughput`,
      "req/s",
      mapEach(c, (r) => r.requestsPerSecond),
      {
        baseline: atLeast(2, "baseline"),
        memory: atLeast(0.5, "all-in-memory"),
      },
    ),
    figure(
      `${check}: p50 latency`,
      "ms",
      mapEach(c, (r) => r.p50),
    ),
    figure(
      `${check}: p99 latency`,
      "ms",
      mapEach(c, (r) => r.p99),
      {
        baseline: atMost(1, "baseline"),
      },
    ),
    figure(
      `${check}: server CPU per request`,
      "ms",
      mapEach(c, (r) => r.cpuMsPerRequest),
    ),
  ];
}

function otherFigures(result: BenchResult): Figure[] {
  const { list } = scenarioLabels(result);
  const { list: l } = result;
  return [
    figure(
      `${list}: throughput`,
      "req/s",
      mapEach(l, (r) => r.requestsPerSecond),
      {
        baseline: atLeast(0.8, "baseline"),
      },
    ),
    figure(
      `${list}: p99 latency`,
      "ms",
      mapEach(l, (r) => r.p99),
    ),
    figure(
      `${list}: server CPU per request`,
      "ms",
      mapEach(l, (r) => r.cpuMsPerRequest),
    ),
    ...postAndBigListFigures(result, "Server RSS after the run"),
  ];
}

/** The bulk POST, the big-list reads and RSS at the end, of a full run or of a run of the memory figures. */
function postAndBigListFigures(result: BenchResult | MemoryRun, rssAfterLabel: string): Figure[] {
  const { post, bigListWhole: whole, bigListPaged: paged } = scenarioLabels(result);
  const { bigListWhole: w, bigListPaged: p } = result;
  return [
    figure(
      `${post}: time (median)`,
      "s",
      mapEach(result.post, (r) => r.seconds),
      {
        baseline: atMost(1.2, "baseline"),
      },
    ),
    figure(
      `${post}: server CPU (median)`,
      "s",
      mapEach(result.post, (r) => r.cpuSeconds),
    ),
    ...bigListFigures(whole, w),
    ...bigListFigures(paged, p),
    figure(
      rssAfterLabel,
      "MB",
      mapEach(result.rssAfter, (bytes) => bytes / MB),
      { service: (megabytes) => ({ text: "≤ 250 MB", met: megabytes <= 250 }) },
    ),
  ];
}

/** The check scenario on entries (issue 13): each figure of the agent with entries against its twin's. */
export function entriesFiguresOf(result: CheckRun): EntriesFigure[] {
  const label = entriesScenarioLabel(result);
  const { entries, numbersOnly } = result.entriesCheck;
  const of = (
    name: string,
    unit: string,
    pick: (load: MeasuredLoad) => number,
    goal?: (r: number) => Goal,
  ) => {
    const ratio = pick(entries) / pick(numbersOnly);
    const judged = goal?.(ratio);
    return {
      label: `${label}: ${name}`,
      unit,
      entries: pick(entries),
      numbersOnly: pick(numbersOnly),
      ratio,
      ...(judged ? { goal: judged } : {}),
    };
  };
  return [
    of("throughput", "req/s", (r) => r.requestsPerSecond, atLeast(0.9, "numbers only")),
    of("p50 latency", "ms", (r) => r.p50),
    of("p99 latency", "ms", (r) => r.p99),
    of("server CPU per request", "ms", (r) => r.cpuMsPerRequest),
  ];
}

/** The check scenario on entries, in words. */
export function entriesScenarioLabel(result: CheckRun): string {
  const size = result.dataset.entries;
  const organization = size.orgNumbers + size.orgPrefixes + size.orgAllows + 1;
  return (
    `\`check\` of an agent with ${count(size.agentNumbers + size.agentAllows)} numbers and ` +
    `${count(size.agentPrefixes)} prefixes, its organization ${count(organization)} entries, ` +
    `${result.settings.checkConnections} connections`
  );
}

const count = (n: number) => n.toLocaleString("en");

/** What each scenario does, in words: the start of its figures' labels. */
export function scenarioLabels(result: CheckRun | MemoryRun): Record<Scenario, string> {
  const { dataset, settings } = result;
  // A run of `check` alone read no list: its labels of the list scenarios are never shown.
  const pages = "bigListPaged" in result ? result.bigListPaged.service.pages : 0;
  return {
    check: `\`check\`, ${settings.checkConnections} connections`,
    list: `GET a ${count(dataset.mediumList)}-number list, ${settings.listConnections} connections`,
    post: `POST ${count(dataset.postBatch)} new numbers into the ${count(dataset.numbers)}-row table`,
    bigListWhole: `GET the ${count(dataset.bigList)}-number list whole`,
    bigListPaged: `GET the ${count(dataset.bigList)}-number list in ${pages} pages of ${count(dataset.pageSize)}`,
  };
}

/** The three figures of one way of reading the big list: its time, the server's peak RSS and its growth. */
function bigListFigures(label: string, reads: Pair<BigListRead>): Figure[] {
  return [
    figure(
      `${label}: time (median)`,
      "s",
      mapEach(reads, (r) => r.seconds),
    ),
    figure(
      `${label}: peak server RSS`,
      "MB",
      mapEach(reads, (r) => r.peakRss / MB),
    ),
    figure(
      `${label}: RSS growth during the read`,
      "MB",
      mapEach(reads, (r) => r.rssGrowth / MB),
    ),
  ];
}

/** The goals a figure is held to: its ratio against either reference, or the service's own value. */
interface Goals {
  baseline?: (ratio: number) => Goal;
  memory?: (ratio: number) => Goal;
  service?: (value: number) => Goal;
}

function figure(
  label: string,
  unit: string,
  values: Pair<number> & { memory?: number },
  goals: Goals = {},
): Figure {
  const { service, baseline, memory } = values;
  const ratio = service / baseline;
  const goal = goals.service?.(service) ?? goals.baseline?.(ratio);
  const base: Figure = { label, unit, service, baseline, ratio, ...(goal ? { goal } : {}) };
  if (memory === undefined) return base;
  const memoryRatio = service / memory;
  const memoryGoal = goals.memory?.(memoryRatio);
  return {
    ...base,
    memory: { value: memory, ratio: memoryRatio, ...(memoryGoal ? { goal: memoryGoal } : {}) },
  };
}

function atLeast(least: number, reference: string): (ratio: number) => Goal {
  return (ratio) => ({ text: `≥ ${least.toFixed(1)}× ${reference}`, met: ratio >= least });
}

function atMost(most: number, reference: string): (ratio: number) => Goal {
  return (ratio) => ({ text: `≤ ${most.toFixed(1)}× ${reference}`, met: ratio <= most });
}

function formatNumber(value: number, unit: string): string {
  if (unit === "s") return value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(2)} s`;
  if (unit === "MB") return `${value.toFixed(0)} MB`;
  if (unit === "ms") return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
  return `${value.toFixed(0)} ${unit}`;
}

/** The table of the check scenario on entries, and what the service held meanwhile. */
function renderEntries(result: CheckRun): string[] {
  const rows = entriesFiguresOf(result).map(
    (f) =>
      `| ${[f.label, formatNumber(f.entries, f.unit), formatNumber(f.numbersOnly, f.unit), formatRatio(f.ratio), formatGoal(f.goal)].join(" | ")} |`,
  );
  const { checkCache, scenario, rssBefore, rssAfter } = result.entriesHeld;
  return [
    "| figure (service only) | agent with entries | agent with numbers only | entries ÷ numbers only | goal |",
    "| --- | ---: | ---: | ---: | --- |",
    ...rows,
    "",
    `- **Entries held**: the service's check cache held ${count(checkCache.lists)} lists of ` +
      `${count(checkCache.entries)} entries in all, before and after the measured rounds, ` +
      `${count(scenario.lists)} of them (${count(scenario.entries)} entries) the lists of the two agents above; ` +
      `service RSS ${formatNumber(rssBefore / MB, "MB")} just before those were loaded, ` +
      `${formatNumber(rssAfter / MB, "MB")} after the measured rounds.`,
  ];
}

/** The results section: tables, machine, dataset, command. */
export function renderResults(result: CheckRun, command: string): string {
  const { settings } = result;
  const rows = figuresOf(result).map((f) => {
    const memory = f.memory
      ? [formatNumber(f.memory.value, f.unit), formatRatio(f.memory.ratio), formatGoal(f.memory.goal)]
      : ["", "", ""];
    return `| ${[...baselineCells(f), ...memory].join(" | ")} |`;
  });
  return [
    `Run of ${result.startedAt} (${result.mode} mode): \`${command}\``,
    "",
    "| figure | service | node:http + pg baseline | service ÷ baseline | goal | all-in-memory | service ÷ all-in-memory | goal |",
    "| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ...rows,
    "",
    ...renderEntries(result),
    "",
    ...runNotes(result),
    ...timeoutNote(result),
    isFullRun(result)
      ? `- **Runs**: loads of ${settings.loadSeconds} s, ${settings.loadRounds} per server, averaged; POSTs and ` +
        `big-list reads ${settings.timedRounds} per server, median time and highest peak; the servers take turns ` +
        "(the service first in even rounds, the reverse order in odd ones), after a warm-up of every scenario on " +
        "every server that runs it. The all-in-memory reference runs `check` only. " +
        ENTRIES_TURNS
      : `- **Runs**: \`check\` alone, loads of ${settings.loadSeconds} s, ${settings.loadRounds} per server, ` +
        "averaged; the servers take turns (the service first in even rounds, the reverse order in odd ones), " +
        `after a warm-up of \`check\` on every server. ${ENTRIES_TURNS}`,
  ].join("\n");
}

/** The results of a run of the memory figures (`--only memory`): printed, never written into BENCHMARKS.md. */
export function renderMemoryRun(result: MemoryRun, command: string): string {
  const rows = [
    figure(
      "Server RSS once listening, before any request",
      "MB",
      mapEach(result.rssIdle, (bytes) => bytes / MB),
    ),
    ...postAndBigListFigures(result, "Server RSS after the POSTs and big-list reads"),
  ].map((f) => `| ${baselineCells(f).join(" | ")} |`);
  const { settings } = result;
  return [
    `Run of ${result.startedAt} (${result.mode} mode): \`${command}\``,
    "",
    "| figure | service | node:http + pg baseline | service ÷ baseline | goal |",
    "| --- | ---: | ---: | ---: | --- |",
    ...rows,
    "",
    ...runNotes(result),
    `- **Runs**: a warm-up of every scenario on the service and the baseline (${settings.warmUpRequests} checks and ` +
      `${settings.warmUpRequests} list reads, one POST, one big-list read whole and one paged), then POSTs and ` +
      `big-list reads ${settings.timedRounds} per server, median time and highest peak, the servers taking turns. ` +
      "No measured `check` or list load: RSS after a full run is higher by what those loads leave in the heap.",
  ].join("\n");
}

/** The table, load and machine lines every kind of run prints. */
function runNotes(result: CheckRun | MemoryRun): string[] {
  const { machine, dataset, settings } = result;
  const callers = entriesCallers(dataset);
  const decided = callers.filter((caller) => caller.decidedBy !== null).length;
  const labels = scenarioLabels(result);
  const loads = Object.entries<LoadAverage>(result.loadAverages).map(
    ([scenario, { start, end }]) =>
      `| ${labels[scenario as Scenario]} | ${start.toFixed(1)} | ${end.toFixed(1)} |`,
  );
  const gib = (machine.memoryBytes / 1024 ** 3).toFixed(0);
  const load = `${machine.loadAverage.start.toFixed(1)} at the start, ${machine.loadAverage.end?.toFixed(1) ?? "?"} at the end`;
  return [
    "| scenario (its measured rounds) | 1-minute load average at the start | at the end |",
    "| --- | ---: | ---: |",
    ...loads,
    "",
    `- **Machine**: ${machine.cpus} CPUs (${machine.cpuModel}), ${gib} GiB memory, Node.js ${machine.node}; ` +
      `1-minute load average ${load} (anything well above ${machine.cpus} means other work shared the CPUs).`,
    `- **Database**: ${result.database}. Every server uses a pool of ${settings.poolMax} connections.`,
    `- **Dataset**: ${count(dataset.numbers)} blocked numbers (valid US numbers) across ${count(dataset.agents)} agents ` +
      `in ${count(Math.ceil(dataset.agents / dataset.agentsPerOrganization))} organizations; one agent holds ` +
      `${count(dataset.bigList)}, one ${count(dataset.mediumList)}, the others share the rest. For \`check\` on ` +
      "entries, two more organizations of one agent each: the agent with entries (its own number blocks, " +
      `${count(dataset.entries.agentAllows)} number allows and prefixes of 7–9 digits; its organization's number ` +
      "blocks, some outbound only, some both ways, some expiring, prefixes of 4 and 8–10 digits, number allows " +
      "inside them and one withheld block, no `any`) and its twin, as many numbers and nothing else; both are " +
      `asked the same ${callers.length} callers, of which ${decided} are decided (by a number, a prefix, an ` +
      `allow, withheld) and the rest match nothing. Seeded in ${result.seedSeconds.toFixed(1)} s.`,
  ];
}

const formatGoal = (g: Goal | undefined) => (g ? `${g.text}: **${g.met ? "met" : "not met"}**` : "");
const formatRatio = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "—");

/** A figure's label, the service's value, and the baseline's with the ratio and its goal. */
function baselineCells(f: Figure): string[] {
  return [
    f.label,
    formatNumber(f.service, f.unit),
    formatNumber(f.baseline, f.unit),
    formatRatio(f.ratio),
    formatGoal(f.goal),
  ];
}

const ENTRIES_TURNS =
  "`check` on entries runs on the service only, in the same rounds, each agent taking its turn after the " +
  "servers (before them in odd rounds), once every list of both agents is held in the check cache.";

const SERVER_NAMES: Record<string, string> = {
  service: "service",
  baseline: "baseline",
  memory: "all-in-memory",
  entries: "agent with entries",
  numbersOnly: "agent with numbers only",
};

function timeoutNote(result: CheckRun): string[] {
  const loads: Record<string, Record<string, MeasuredLoad>> = {
    "`check`": { ...result.check },
    "`check` on entries": { ...result.entriesCheck },
    ...(isFullRun(result) ? { "the list load": { ...result.list } } : {}),
  };
  const notes = Object.entries(loads).flatMap(([name, sides]) => {
    const timeouts = Object.entries<MeasuredLoad>({ ...sides }).filter(([, load]) => load.timeouts > 0);
    if (timeouts.length === 0) return [];
    return [
      `${name}: ${timeouts.map(([server, load]) => `${load.timeouts} (${SERVER_NAMES[server] ?? server})`).join(", ")} requests timed out`,
    ];
  });
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
