// `pnpm test:scale`: the service as operators run it, on Debian's parts: a PostgreSQL primary with a streaming
// replica, PgBouncer (transaction pooling) in front of the primary, three instances of the built server
// (DATABASE_URL through PgBouncer, DATABASE_DIRECT_URL for LISTEN, DATABASE_REPLICA_URL for list pages and
// check-cache loads) and HAProxy in front of them. Mixed load runs through HAProxy while, phase by phase, one
// instance is stopped (SIGTERM: it drains, nothing may fail), another is killed (SIGKILL: only its requests in
// flight may fail, as clean 502s), and the replica is killed (nothing may fail). Then: nothing reported added may
// be lost (and nothing reported removed may be back), and every remaining instance's `check` must agree with
// the primary. Prints a summary; exits 1 on any violation.
//
// SCALE_PHASE_SECONDS (default 10) sets each phase's length, SCALE_WORKERS (default 12) the concurrent clients,
// SCALE_JSON a file for every figure.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createAgent, createUser } from "@blocklist/api";
import { createPrismaClient, selectBlockedNumbers } from "@blocklist/db";
import { migrateDatabase } from "@blocklist/db/lifecycle";
import { type StreamingCluster, startStreamingCluster } from "@blocklist/db/testing/streaming-replica";
import { serverUser } from "@blocklist/db/testing/system";
import pg from "pg";
import { type Outcome, runLoad, type Target, Worker } from "./load";
import { formatSummary, type PhaseSummary, summarizePhase } from "./report";
import {
  cpuSeconds,
  type HaProxy,
  type Instance,
  type PgBouncer,
  postgresCpuSeconds,
  residentBytes,
  type Service,
  startHaProxy,
  startInstance,
  startPgBouncer,
} from "./services";

const PHASE_SECONDS = Number(process.env.SCALE_PHASE_SECONDS ?? 10);
const WORKERS = Number(process.env.SCALE_WORKERS ?? 12);
const TENANTS = 4;
const AGENTS_PER_TENANT = 2;
const POOL_MAX = 10;
/** The stated bound for a change to reach every instance's check (README, "tRPC for internal callers"). */
const PROPAGATION_MS = 1000;
const METRICS_TOKEN = "scale-run-metrics-token-0123";
/** How long after SIGKILL the killed instance's requests may still fail (those in flight, then HAProxy moves on). */
const KILL_WINDOW_MS = 1000;
/**
 * After SIGTERM, how long an instance keeps serving (SHUTDOWN_DRAIN_MS): twice HAProxy's inter 1 s × fall 3.
 * SCALE_DRAIN_MS=0 shows what happens without it.
 */
const DRAIN_MS = Number(process.env.SCALE_DRAIN_MS ?? 6000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function createTargets(db: ReturnType<typeof createPrismaClient>): Promise<Target[]> {
  const targets: Target[] = [];
  for (let t = 0; t < TENANTS; t++) {
    const { uid, apiKey } = await createUser(db, `scale-${t}`);
    for (let a = 0; a < AGENTS_PER_TENANT; a++) {
      const { agentId } = await createAgent(db, { uid, name: `agent-${a}` });
      targets.push({ uid, agentId, apiKey });
    }
  }
  return targets;
}

/** Peaks of PgBouncer's pools and of PostgreSQL's connections, sampled while the load runs. */
function samplePools(pgBouncer: PgBouncer, primaryUrl: string) {
  const peaks = {
    clientsActive: 0,
    clientsWaiting: 0,
    serversActive: 0,
    maxWaitMs: 0,
    primaryConnections: 0,
  };
  const consoleUrl = new URL(pgBouncer.url);
  consoleUrl.pathname = "/pgbouncer";
  const timer = setInterval(async () => {
    try {
      type Pool = {
        database: string;
        cl_active: string;
        cl_waiting: string;
        sv_active: string;
        maxwait: string;
        maxwait_us: string;
      };
      for (const pool of await query<Pool>(consoleUrl.toString(), "SHOW POOLS")) {
        if (pool.database === "pgbouncer") continue;
        peaks.clientsActive = Math.max(peaks.clientsActive, Number(pool.cl_active));
        peaks.clientsWaiting = Math.max(peaks.clientsWaiting, Number(pool.cl_waiting));
        peaks.serversActive = Math.max(peaks.serversActive, Number(pool.sv_active));
        peaks.maxWaitMs = Math.max(
          peaks.maxWaitMs,
          Number(pool.maxwait) * 1000 + Number(pool.maxwait_us) / 1000,
        );
      }
      const [row] = await query<{ count: number }>(
        primaryUrl,
        "SELECT count(*)::int AS count FROM pg_stat_activity WHERE backend_type = 'client backend'",
      );
      peaks.primaryConnections = Math.max(peaks.primaryConnections, row?.count ?? 0);
    } catch {
      // A sample lost to a fault injected on purpose; the next one counts.
    }
  }, 500);
  return { peaks, stop: () => clearInterval(timer) };
}

async function replicaCommits(cluster: StreamingCluster): Promise<number> {
  const [row] = await query<{ commits: string }>(
    cluster.replica.superuserUrl,
    "SELECT xact_commit::text AS commits FROM pg_stat_database WHERE datname = 'blocklist'",
  );
  return Number(row?.commits ?? 0);
}

/** CPU seconds each part has used so far. */
async function cpuOf(parts: {
  instances: Instance[];
  pgBouncer: Service;
  haProxy: Service;
  cluster: StreamingCluster;
}) {
  const alive = parts.instances.filter(
    (instance) => instance.process.exitCode === null && instance.process.pid,
  );
  return {
    instances: (
      await Promise.all(alive.map((instance) => cpuSeconds(instance.process.pid as number)))
    ).reduce((a, b) => a + b, 0),
    pgBouncer: await cpuSeconds(parts.pgBouncer.process.pid as number),
    haProxy: await cpuSeconds(parts.haProxy.process.pid as number),
    primary: await postgresCpuSeconds(parts.cluster.primary.dataDir),
    replica: await postgresCpuSeconds(parts.cluster.replica.dataDir),
    loadGenerator: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
}

/** `blocked` of one number from one instance directly, or the failure. */
async function checkOn(instance: Instance, target: Target, number: string): Promise<boolean | string> {
  const input = encodeURIComponent(JSON.stringify({ agentId: target.agentId, number }));
  const response = await fetch(`${instance.url}/api/trpc/blockList.check?input=${input}`, {
    headers: { "X-Authorization": target.apiKey },
  });
  if (response.status !== 200) return `status ${response.status}`;
  return ((await response.json()) as { result: { data: { blocked: boolean } } }).result.data.blocked;
}

async function main(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "blocklist-scale-"));
  const owner = await serverUser();
  if (owner) await import("node:fs/promises").then(({ chown }) => chown(dir, owner.uid, owner.gid));
  const started: Service[] = [];
  let cluster: StreamingCluster | undefined;
  const cleanUp = async () => {
    await Promise.all(started.map((service) => service.stop("SIGKILL")));
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanUp().then(() => process.exit(130)));
  try {
    const t0 = Date.now();
    cluster = await startStreamingCluster();
    await migrateDatabase(cluster.primary.url);
    const admin = createPrismaClient(cluster.primary.url);
    const targets = await createTargets(admin);
    const pgBouncer = await startPgBouncer(cluster.primary.url, dir);
    started.push(pgBouncer);
    const env = {
      DATABASE_URL: pgBouncer.url,
      DATABASE_DIRECT_URL: cluster.primary.url,
      DATABASE_REPLICA_URL: cluster.replica.url,
      DATABASE_POOL_MAX: String(POOL_MAX),
      DATABASE_CONNECT_TIMEOUT_MS: "2000",
      RATE_LIMIT_REQUESTS: "0",
      SHUTDOWN_TIMEOUT_MS: "10000",
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      METRICS_TOKEN,
    };
    const instances = await Promise.all(["a", "b", "c"].map((name) => startInstance(name, env)));
    started.push(...instances);
    const [drained, killed] = instances as [Instance, Instance, Instance];
    const haProxy: HaProxy = await startHaProxy(instances, dir);
    started.push(haProxy);
    const setupSeconds = (Date.now() - t0) / 1000;
    process.stderr.write(
      `scale: set up in ${setupSeconds} s; ${PHASE_SECONDS} s a phase, ${WORKERS} workers\n`,
    );

    const workers = Array.from(
      { length: WORKERS },
      (_, index) => new Worker(index, targets[index % targets.length] as Target, haProxy.url),
    );
    const outcomes: Outcome[] = [];
    let phase = "steady";
    let running = true;
    const sampler = samplePools(pgBouncer, cluster.primary.url);
    const load = runLoad(
      workers,
      () => phase,
      () => running,
      (outcome) => outcomes.push(outcome),
    );

    const parts = { instances, pgBouncer, haProxy, cluster };
    const phaseTimes: [string, number][] = [];
    const eventTimes: Record<string, number> = {};
    const cpuStart = await cpuOf(parts);
    const commitsStart = await replicaCommits(cluster);
    let drainExit: Promise<number | null> = Promise.resolve(null);
    const steps: [string, () => Promise<unknown>][] = [
      ["steady", async () => {}],
      [
        "SIGTERM a (drains)",
        async () => {
          drainExit = drained.stop("SIGTERM");
        },
      ],
      ["SIGKILL b", () => killed.stop("SIGKILL")],
      ["replica killed", () => (cluster as StreamingCluster).replica.kill()],
    ];
    let cpuSteady: Awaited<ReturnType<typeof cpuOf>> | undefined;
    let commitsSteady = 0;
    const memory: Record<string, number> = {};
    for (const [name, act] of steps) {
      phase = name;
      const at = Date.now();
      eventTimes[name] = at;
      await act();
      await sleep(PHASE_SECONDS * 1000 - (Date.now() - at));
      phaseTimes.push([name, (Date.now() - at) / 1000]);
      if (name === "steady") {
        cpuSteady = await cpuOf(parts);
        commitsSteady = await replicaCommits(cluster);
        for (const instance of instances)
          memory[instance.name] = await residentBytes(instance.process.pid as number);
      }
    }
    running = false;
    await load;
    sampler.stop();
    const states = await haProxy.serverStates();

    const violations: string[] = [];
    const phases: PhaseSummary[] = phaseTimes.map(([name, seconds]) =>
      summarizePhase(
        name,
        seconds,
        outcomes.filter((outcome) => outcome.phase === name),
      ),
    );
    for (const summary of phases) {
      if (summary.phase === "SIGKILL b") continue;
      if (Object.keys(summary.errors).length > 0) {
        violations.push(`${summary.phase}: ${JSON.stringify(summary.errors)} where nothing may fail`);
      }
    }
    // Only the requests in flight on the killed instance may fail, at once and cleanly: HAProxy's 502, or the
    // client's connection closed by HAProxy (it cannot answer once the instance's reply was cut off).
    const killedAt = eventTimes["SIGKILL b"] ?? 0;
    for (const outcome of outcomes.filter((o) => o.phase === "SIGKILL b" && o.status !== 200)) {
      const clean = outcome.status === 502 || outcome.error === "UND_ERR_SOCKET: other side closed";
      if (!clean || outcome.at > killedAt + KILL_WINDOW_MS) {
        violations.push(
          `SIGKILL b: ${outcome.kind} failed ${outcome.at - killedAt} ms after the kill: ${outcome.status} ${outcome.error ?? ""}`,
        );
      }
    }
    const drainCode = await Promise.race([drainExit, sleep(15_000).then(() => "still running")]);
    if (drainCode !== 0) violations.push(`the drained instance exited with ${drainCode}, not 0`);
    if (states.a === "UP" || states.b === "UP" || states.c !== "UP") {
      violations.push(`HAProxy's view at the end: ${JSON.stringify(states)} (a and b down, c up expected)`);
    }
    if (commitsSteady <= commitsStart) violations.push("the replica answered no read while it was up");
    for (const worker of workers) violations.push(...worker.contradictions);

    // Nothing reported added is lost, nothing reported removed is back: the primary is the truth.
    const survivors = instances.filter(
      (instance) => instance.process.exitCode === null && instance.process.signalCode === null,
    );
    await sleep(PROPAGATION_MS + 500);
    let checked = 0;
    let lost = 0;
    for (const worker of workers) {
      const held = new Set((await selectBlockedNumbers(admin, { agentId: worker.target.agentId })).numbers);
      for (const number of worker.numbers) {
        const known = worker.model.get(number);
        if (known === "present" && !held.has(number)) {
          lost++;
          violations.push(`${worker.target.agentId} ${number}: reported added, not in the primary`);
        }
        if (known === "absent" && held.has(number)) {
          violations.push(`${worker.target.agentId} ${number}: reported removed, still in the primary`);
        }
      }
      // Every remaining instance's check agrees with the primary, a full second after the load ended.
      for (const instance of survivors) {
        for (let i = 0; i < worker.numbers.length; i += 20) {
          const batch = worker.numbers.slice(i, i + 20);
          const answers = await Promise.all(batch.map((number) => checkOn(instance, worker.target, number)));
          answers.forEach((answer, j) => {
            const number = batch[j] as string;
            checked++;
            if (answer !== held.has(number)) {
              violations.push(
                `${instance.name} check ${worker.target.agentId} ${number}: ${answer}, primary ${held.has(number)}`,
              );
            }
          });
        }
      }
    }
    await admin.$disconnect();

    const cpuEnd = cpuSteady ?? cpuStart;
    const steadySeconds = phaseTimes[0]?.[1] ?? PHASE_SECONDS;
    const steadyRequests = phases[0]?.requests ?? 0;
    const cpuPerPart = Object.fromEntries(
      Object.entries(cpuEnd).map(([part, seconds]) => [
        part,
        Math.round(((seconds - cpuStart[part as keyof typeof cpuStart]) / steadySeconds) * 100) / 100,
      ]),
    );
    const figures = {
      setupSeconds,
      workers: WORKERS,
      agents: targets.length,
      "steady: CPU cores used, by part": cpuPerPart,
      "steady: instance CPU ms per request":
        Math.round(((cpuEnd.instances - cpuStart.instances) * 1000 * 100) / steadyRequests) / 100,
      "steady: replica transactions (reads it answered)": commitsSteady - commitsStart,
      "instance RSS MB at the end of steady": Object.fromEntries(
        Object.entries(memory).map(([name, bytes]) => [name, Math.round(bytes / 1048576)]),
      ),
      "PgBouncer and PostgreSQL peaks": sampler.peaks,
      "PgBouncer pool": {
        poolMode: "transaction",
        defaultPoolSize: 20,
        clients: instances.length * POOL_MAX,
      },
      "HAProxy at the end": states,
      "first answers other than 200": workers.flatMap((worker) => worker.failures).slice(0, 6),
      "numbers checked against the primary": checked,
      lost,
      loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    };
    process.stdout.write(`${formatSummary(phases, figures, violations)}\n`);
    if (violations.length > 0)
      process.stderr.write(`HAProxy's log of abnormal requests:\n${haProxy.output()}\n`);
    if (process.env.SCALE_JSON) {
      await writeFile(
        process.env.SCALE_JSON,
        `${JSON.stringify({ phases, figures, violations }, null, 2)}\n`,
      );
    }
    return violations.length === 0 ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
