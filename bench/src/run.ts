// One benchmark run: a database, the dataset, the service and the baseline on it (and, for `check`, the
// all-in-memory reference), then every scenario against them, in alternating order so that no server always
// runs on a warmer (or busier) machine.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type CheckCacheStats, readCheckCache, sameStats, waitForHeld } from "./checkCacheStats";
import { createBenchDatabase } from "./database";
import { type DatasetSize, FULL_DATASET, QUICK_DATASET } from "./dataset";
import { entriesListSizes } from "./entriesDataset";
import { currentLoadAverage, describeMachine, type Machine } from "./machine";
import { readMemory } from "./memory";
import { type ServerProcess, startBaselineServer, startMemoryServer, startServiceServer } from "./processes";
import {
  type BigListRead,
  CHECK_QUESTIONS,
  createScenarios,
  type MeasuredLoad,
  type Scenarios,
  type TimedRequest,
} from "./scenarios";
import { seedDatabase } from "./seed";
import { mapEach, type Pair, type Trio } from "./sides";

export interface RunSettings {
  /** Connections of the `check` load. */
  checkConnections: number;
  /** Connections of the 1,000-number list load. */
  listConnections: number;
  /** Seconds of each load run. */
  loadSeconds: number;
  /** Requests of the warm-up load (each of check and list) on each server. */
  warmUpRequests: number;
  /** How many times each server runs each scenario (loads; then POSTs and big-list reads). */
  loadRounds: number;
  timedRounds: number;
  /** DATABASE_POOL_MAX of every server. */
  poolMax: number;
}

export const FULL_SETTINGS: RunSettings = {
  checkConnections: 50,
  listConnections: 10,
  loadSeconds: 10,
  warmUpRequests: 1_000,
  loadRounds: 2,
  timedRounds: 5,
  poolMax: 10,
};

export const QUICK_SETTINGS: RunSettings = {
  ...FULL_SETTINGS,
  loadSeconds: 3,
  warmUpRequests: 100,
  loadRounds: 1,
  timedRounds: 2,
};

export type Scenario = "check" | "list" | "post" | "bigListWhole" | "bigListPaged";

/** 1-minute load average when a scenario's measured rounds started and when they ended. */
export interface LoadAverage {
  start: number;
  end: number;
}

/** What every run records, whichever scenarios it ran. */
interface RunFacts {
  mode: "full" | "quick";
  startedAt: string;
  machine: Machine;
  dataset: DatasetSize;
  settings: RunSettings;
  database: string;
  seedSeconds: number;
}

/** `check` on the service for an agent with entries and for its numbers-only twin (entriesDataset.ts). */
export interface EntriesCheck {
  entries: MeasuredLoad;
  numbersOnly: MeasuredLoad;
}

/** What the service held while the check scenario on entries was measured. */
export interface EntriesHeld {
  /** The check cache once every list of both agents was loaded; the same after the measured rounds. */
  checkCache: CheckCacheStats;
  /** Of those, the scenario's own (its four lists). */
  scenario: { lists: number; entries: number };
  /** The service's VmRSS just before the scenario's lists were loaded, and after the measured rounds, bytes. */
  rssBefore: number;
  rssAfter: number;
}

/** A run of `check` alone (`pnpm bench --only check`): a shorter way to compare two builds of the call path. */
export interface CheckRun extends RunFacts {
  check: Trio<MeasuredLoad>;
  /** Measured in the same rounds as `check`, taking turns with the servers. */
  entriesCheck: EntriesCheck;
  entriesHeld: EntriesHeld;
  loadAverages: Pick<Record<Scenario, LoadAverage>, "check">;
}

/** The figures of the bulk POST and the big-list reads, in a full run and in a run of the memory figures. */
interface PostAndBigLists {
  /** Median wall time and server CPU time of one bulk POST. */
  post: Pair<TimedRequest>;
  /** Median time; peak RSS and its growth: the highest of the rounds. */
  bigListWhole: Pair<BigListRead>;
  bigListPaged: Pair<BigListRead & { pages: number }>;
  /** VmRSS of each server at the end of the run. */
  rssAfter: Pair<number>;
}

/** A run of every scenario. */
export interface BenchResult extends CheckRun, PostAndBigLists {
  list: Pair<MeasuredLoad>;
  /** How busy the shared machine was during each scenario. */
  loadAverages: Record<Scenario, LoadAverage>;
}

/**
 * A run of the memory figures (`pnpm bench --only memory`): RSS before any request and after the bulk POSTs and
 * big-list reads (after the warm-up of every scenario, so the check cache holds what `check` asked about), and
 * the POST against the baseline. A shorter way to compare two builds' memory and POST.
 */
export interface MemoryRun extends RunFacts, PostAndBigLists {
  /** VmRSS of each server once it listens, before any request. */
  rssIdle: Pair<number>;
  loadAverages: Pick<Record<Scenario, LoadAverage>, "post" | "bigListWhole" | "bigListPaged">;
}

export interface BenchOptions {
  quick: boolean;
  /** A PostgreSQL server to create the benchmark's database on; default: an embedded one. */
  databaseUrl?: string | undefined;
  /**
   * `check`: that scenario alone (the dataset and the warm-up it needs, then its measured rounds); `memory`: the
   * warm-up of every scenario, then the POST and big-list rounds, with RSS before and after (MemoryRun).
   */
  only?: "check" | "memory";
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Whether `result` ran every scenario (else it is a run of `check` alone). */
export function isFullRun(result: CheckRun): result is BenchResult {
  return "list" in result;
}

export function isMemoryRun(result: CheckRun | MemoryRun): result is MemoryRun {
  return "rssIdle" in result;
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult | CheckRun | MemoryRun> {
  const log = options.log ?? (() => {});
  const dataset = options.quick ? QUICK_DATASET : FULL_DATASET;
  const settings = options.quick ? QUICK_SETTINGS : FULL_SETTINGS;
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-bench-logs-"));
  const cleanup: (() => Promise<void>)[] = [() => rm(workDir, { recursive: true, force: true })];

  try {
    log(`Starting PostgreSQL${options.databaseUrl ? " (DATABASE_URL)" : " (embedded)"}`);
    const database = await createBenchDatabase(options.databaseUrl);
    cleanup.unshift(() => database.drop());

    log(
      `Seeding ${dataset.numbers.toLocaleString("en")} numbers across ${dataset.agents.toLocaleString("en")} agents`,
    );
    const seedStarted = performance.now();
    const seeded = await seedDatabase(database.url, dataset);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`Seeded in ${seedSeconds.toFixed(1)} s`);

    const serverSettings = (name: string) => ({
      databaseUrl: database.url,
      poolMax: settings.poolMax,
      logFile: path.join(workDir, `${name}.log`),
    });
    const service = await startServiceServer(serverSettings("service"));
    cleanup.unshift(() => service.stop());
    const baseline = await startBaselineServer(serverSettings("baseline"));
    cleanup.unshift(() => baseline.stop());
    const memory = await startMemoryServer(serverSettings("memory"));
    cleanup.unshift(() => memory.stop());
    log(
      `Service on ${service.url} (pid ${service.pid}), baseline on ${baseline.url} (pid ${baseline.pid}), ` +
        `all-in-memory reference on ${memory.url} (pid ${memory.pid})`,
    );

    const rssIdle = {
      service: (await readMemory(service.pid)).rss,
      baseline: (await readMemory(baseline.pid)).rss,
    };
    const scenarios = createScenarios(dataset, seeded);
    await scenarios.assertSameAnswers(service, baseline, memory);
    const pair = { service, baseline };
    let postBatch = 0;

    const facts: RunFacts = {
      mode: options.quick ? "quick" : "full",
      startedAt,
      machine,
      dataset,
      settings,
      database: database.description,
      seedSeconds,
    };
    const checkLoad = { durationSeconds: settings.loadSeconds };
    const connections = settings.checkConnections;
    // The check scenario on entries runs in the same rounds, right after the service's own `check` (before it in
    // odd rounds), so that the two agents and the three servers take turns alike.
    const measureCheck = async () => {
      const held = await holdLists(service, scenarios, dataset, settings);
      const measured = await withLoadAverage(() =>
        alternate(
          {
            ...mapEach(
              { ...pair, memory },
              (server) => () => scenarios.check(server, connections, checkLoad),
            ),
            entries: () => scenarios.checkEntries(service, "entries", connections, checkLoad),
            numbersOnly: () => scenarios.checkEntries(service, "twin", connections, checkLoad),
          },
          settings.loadRounds,
        ),
      );
      const after = await readCheckCache(service);
      if (!sameStats(after, held.checkCache)) {
        throw new Error(
          `the check cache changed while measured: ${JSON.stringify(held.checkCache)} → ${JSON.stringify(after)}`,
        );
      }
      const { entries, numbersOnly, ...trio } = mapEach(measured.runs, meanLoad);
      return {
        check: trio,
        entriesCheck: { entries, numbersOnly },
        entriesHeld: { ...held, rssAfter: (await readMemory(service.pid)).rss },
        loadAverage: measured.loadAverage,
      };
    };
    const checkLog =
      `check: ${connections} connections, ${settings.loadRounds} × ${settings.loadSeconds} s each, ` +
      "and on the agent with entries and its numbers-only twin";

    log("Warming up");
    for (const server of [service, baseline, memory]) {
      await scenarios.check(server, settings.checkConnections, { amount: settings.warmUpRequests });
    }
    if (options.only === "check") {
      log(checkLog);
      const { loadAverage, ...check } = await measureCheck();
      machine.loadAverage.end = currentLoadAverage();
      return { ...facts, ...check, loadAverages: { check: loadAverage } };
    }
    for (const server of [service, baseline]) {
      await scenarios.list(server, settings.listConnections, { amount: settings.warmUpRequests });
      await scenarios.post(server, postBatch++);
      await scenarios.bigListWhole(server);
      await scenarios.bigListPaged(server);
    }

    const measurePostAndBigLists = async () => {
      log(`POST ${dataset.postBatch} new numbers, ${settings.timedRounds} times each`);
      const post = await withLoadAverage(() =>
        alternate(
          mapEach(pair, (server) => () => scenarios.post(server, postBatch++)),
          settings.timedRounds,
        ),
      );
      log(`GET the ${dataset.bigList}-number list, whole and paged`);
      const bigListWhole = await withLoadAverage(() =>
        alternate(
          mapEach(pair, (server) => () => scenarios.bigListWhole(server)),
          settings.timedRounds,
        ),
      );
      const bigListPaged = await withLoadAverage(() =>
        alternate(
          mapEach(pair, (server) => () => scenarios.bigListPaged(server)),
          settings.timedRounds,
        ),
      );
      const rssAfter = {
        service: (await readMemory(service.pid)).rss,
        baseline: (await readMemory(baseline.pid)).rss,
      };
      machine.loadAverage.end = currentLoadAverage();
      const figures: PostAndBigLists = {
        post: mapEach(post.runs, (runs) => ({
          seconds: median(runs.map((run) => run.seconds)),
          cpuSeconds: median(runs.map((run) => run.cpuSeconds)),
        })),
        bigListWhole: mapEach(bigListWhole.runs, summarizeReads),
        bigListPaged: mapEach(bigListPaged.runs, (runs) => ({
          ...summarizeReads(runs),
          pages: runs[0]?.pages ?? 0,
        })),
        rssAfter,
      };
      const loadAverages = {
        post: post.loadAverage,
        bigListWhole: bigListWhole.loadAverage,
        bigListPaged: bigListPaged.loadAverage,
      };
      return { figures, loadAverages };
    };
    if (options.only === "memory") {
      const { figures, loadAverages } = await measurePostAndBigLists();
      return { ...facts, rssIdle, ...figures, loadAverages };
    }

    log(checkLog);
    const { loadAverage: checkLoadAverage, ...check } = await measureCheck();
    log(`GET ${dataset.mediumList}-number list: ${settings.listConnections} connections`);
    const list = await withLoadAverage(() =>
      alternate(
        mapEach(
          pair,
          (server) => () =>
            scenarios.list(server, settings.listConnections, { durationSeconds: settings.loadSeconds }),
        ),
        settings.loadRounds,
      ),
    );
    const { figures, loadAverages } = await measurePostAndBigLists();
    return {
      ...facts,
      ...check,
      list: mapEach(list.runs, meanLoad),
      ...figures,
      loadAverages: { check: checkLoadAverage, list: list.loadAverage, ...loadAverages },
    };
  } finally {
    for (const step of cleanup) await step().catch(() => {});
  }
}

/** Runs one scenario's measured rounds, noting the load average before and after. */
async function withLoadAverage<T>(work: () => Promise<T>): Promise<{ runs: T; loadAverage: LoadAverage }> {
  const start = currentLoadAverage();
  const runs = await work();
  return { runs, loadAverage: { start, end: currentLoadAverage() } };
}

/**
 * Makes sure that the service's check cache holds every list the measured loads ask about: what `check` asks
 * about, and the four lists of the check scenario on entries, which a warm-up of both agents loads. Lists load
 * in the background after a check that finds them missing, and a load that ends while change notifications are
 * not trusted is not kept (50 connections on a busy machine can delay the heartbeat past its trust), so one
 * connection asks every question again until the cache holds exactly those lists. Then checks every answer of
 * both agents, from memory.
 */
async function holdLists(
  service: ServerProcess,
  scenarios: Scenarios,
  dataset: DatasetSize,
  settings: RunSettings,
): Promise<Omit<EntriesHeld, "rssAfter">> {
  const rssBefore = (await readMemory(service.pid)).rss;
  for (const agent of ["entries", "twin"] as const) {
    await scenarios.checkEntries(service, agent, settings.checkConnections, {
      amount: settings.warmUpRequests,
    });
  }
  const sizes = entriesListSizes(dataset);
  // The twin's organization holds nothing: an empty list weighs one.
  const scenario = { lists: 4, entries: sizes.agent + sizes.org + sizes.twin + 1 };
  const check = scenarios.checkLists();
  const expected = { lists: check.lists + scenario.lists, entries: check.entries + scenario.entries };
  const askAll = async () => {
    await scenarios.check(service, 1, { amount: CHECK_QUESTIONS });
    for (const agent of ["entries", "twin"] as const) {
      await scenarios.checkEntries(service, agent, 1, { amount: 1 });
    }
  };
  const checkCache = await waitForHeld(service, expected, askAll);
  await scenarios.assertEntriesAnswers(service);
  return { checkCache, scenario, rssBefore };
}

/**
 * Runs each work `rounds` times: in the order given in even rounds (the service first), in the reverse order
 * in odd ones, so that over two rounds every server has on average the same place.
 */
async function alternate<K extends string, T>(
  works: Record<K, () => Promise<T>>,
  rounds: number,
): Promise<Record<K, T[]>> {
  const names = Object.keys(works) as K[];
  const results = mapEach(works, (): T[] => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      results[name].push(await works[name]());
    }
  }
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function summarizeReads(runs: BigListRead[]): BigListRead {
  return {
    seconds: median(runs.map((run) => run.seconds)),
    peakRss: Math.max(...runs.map((run) => run.peakRss)),
    rssGrowth: Math.max(...runs.map((run) => run.rssGrowth)),
  };
}

function meanLoad(runs: MeasuredLoad[]): MeasuredLoad {
  const mean = (pick: (run: MeasuredLoad) => number) =>
    runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  return {
    requestsPerSecond: mean((run) => run.requestsPerSecond),
    p50: mean((run) => run.p50),
    p99: mean((run) => run.p99),
    cpuMsPerRequest: mean((run) => run.cpuMsPerRequest),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    timeouts: runs.reduce((sum, run) => sum + run.timeouts, 0),
  };
}
