// `pnpm test:soak`: minutes of mixed load against the production server on a PostgreSQL of its own, with faults
// injected along the way (PostgreSQL stopped and started, a backend terminated, the server restarted), then a
// summary. Every answer is checked against a model of what each list must hold; at the end every list is read
// back and compared with it: nothing answered 200 may be lost. Exits 1 if anything was wrong.
//
// SOAK_SECONDS (default 180) sets the length; SOAK_WORKERS (default 8) the number of concurrent clients.
import { createAgent } from "@blocklist/api";
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { createPrismaClient } from "@blocklist/db";
import { startTestPostgres, type TestPostgres } from "@blocklist/db/testing";
import pg from "pg";
import { testNumber } from "../test/numbers";
import { seededRandom } from "../test/random";
import { type RunningServer, startServer } from "../test/server";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 8);
const NUMBERS_PER_WORKER = 400;
const FAULTS = ["stop PostgreSQL for 3 s", "terminate a backend", "restart the server"] as const;
const GIVE_UP_MS = 30_000;

type Presence = "present" | "absent" | "unknown";
type Kind = "add" | "remove" | "list" | "check";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  byStatus: Map<string, number>;
  byKind: Map<Kind, number>;
  latencies: number[];
  /** Answers that contradict the model (a number reported added that was known present, …). */
  contradictions: string[];
  /** Answers that are not JSON, or that leak internals. */
  badAnswers: string[];
}

const INTERNALS = /prisma|postgres|sql|ECONN|stack|\n\s+at /i;

function countInto<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function main(): Promise<void> {
  const postgres: TestPostgres = await startTestPostgres();
  const prisma = createPrismaClient(postgres.url);
  const tenants: Tenant[] = [await createTenant(prisma, "soak-a"), await createTenant(prisma, "soak-b")];
  const targets = [
    ...tenants.map((tenant) => ({ tenant, agentId: tenant.agentId })),
    ...(await Promise.all(
      tenants.map(async (tenant) => ({
        tenant,
        agentId: (await createAgent(prisma, { uid: tenant.uid, name: "second" })).agentId,
      })),
    )),
  ];
  await prisma.$disconnect();

  const serverEnv = { DATABASE_URL: postgres.url, DATABASE_CONNECT_TIMEOUT_MS: "1000" };
  let server: RunningServer | undefined;
  // Interrupted (Ctrl-C): leave no server or PostgreSQL behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void Promise.allSettled([server?.stop("SIGTERM"), postgres.destroy()]).then(() => process.exit(130));
    });
  }
  server = await startServer(serverEnv);
  let current: RunningServer = server;
  const tally: Tally = {
    byStatus: new Map(),
    byKind: new Map(),
    latencies: [],
    contradictions: [],
    badAnswers: [],
  };
  const faultsDone: string[] = [];
  // The clock starts once the server is up: SOAK_SECONDS is the length of the load itself.
  const started = Date.now();
  const deadline = started + SECONDS * 1000;

  // Each worker owns its numbers on one agent: its model of them is exact whenever its last call was answered.
  const workers = Array.from({ length: WORKERS }, (_, index) => {
    const target = targets[index % targets.length] ?? targets[0];
    if (!target) throw new Error("no target");
    const numbers = Array.from({ length: NUMBERS_PER_WORKER }, (_, i) =>
      testNumber(index * NUMBERS_PER_WORKER + i),
    );
    const model = new Map<string, Presence>(numbers.map((number) => [number, "absent"]));
    return { index, target, numbers, model, next: seededRandom(1000 + index) };
  });

  async function request(
    kind: Kind,
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<{ status: number; json?: unknown; refused?: boolean }> {
    const begun = performance.now();
    countInto(tally.byKind, kind);
    try {
      const response = await fetch(new URL(path, current.url), {
        method,
        headers: { "X-Authorization": key, "Content-Type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(GIVE_UP_MS),
      });
      const text = await response.text();
      countInto(tally.byStatus, String(response.status));
      if (response.status === 200) tally.latencies.push(performance.now() - begun);
      if (!response.headers.get("content-type")?.startsWith("application/json")) {
        tally.badAnswers.push(`${kind} ${response.status} not JSON: ${text.slice(0, 200)}`);
        return { status: response.status };
      }
      if (response.status !== 200 && INTERNALS.test(text)) {
        tally.badAnswers.push(`${kind} ${response.status} leaks: ${text.slice(0, 200)}`);
      }
      return { status: response.status, json: JSON.parse(text) };
    } catch (error) {
      // Refused: the request never reached a server (one is restarting), so it changed nothing.
      const refused = (error as { cause?: { code?: unknown } }).cause?.code === "ECONNREFUSED";
      const hung = error instanceof Error && error.name === "TimeoutError";
      countInto(tally.byStatus, refused ? "connection refused" : hung ? "hung" : "no answer");
      return { status: 0, refused };
    }
  }

  async function runWorker(worker: (typeof workers)[number]): Promise<void> {
    const { target, model, numbers, next } = worker;
    const pick = (count: number) =>
      Array.from({ length: count }, () => numbers[Math.floor(next() * numbers.length)] ?? numbers[0] ?? "");
    let lastStatus = 200;
    while (Date.now() < deadline) {
      // No answer at all (the server is restarting): do not spin.
      if (lastStatus === 0) await sleep(250);
      const roll = next();
      if (roll < 0.6) {
        const operation = roll < 0.35 ? "add" : "remove";
        const sent = pick(1 + Math.floor(next() * 40));
        const viaTrpc = next() < 0.5;
        const answer = viaTrpc
          ? await request(operation, "POST", `/api/trpc/blockList.${operation}`, target.tenant.apiKey, {
              agentId: target.agentId,
              numbers: sent,
            })
          : await request(
              operation,
              operation === "add" ? "POST" : "DELETE",
              "/api/agent-block-list",
              target.tenant.apiKey,
              {
                uid: target.tenant.uid,
                agentId: target.agentId,
                numbers: sent,
              },
            );
        const data = (
          viaTrpc ? (answer.json as { result?: { data?: unknown } })?.result?.data : answer.json
        ) as { added?: string[]; removed?: string[] } | undefined;
        lastStatus = answer.status;
        if (answer.refused) continue;
        if (answer.status !== 200 || !data) {
          // Committed or not, we cannot tell: unknown until a later answer says.
          for (const number of sent) model.set(number, "unknown");
          continue;
        }
        const changed = new Set((operation === "add" ? data.added : data.removed) ?? []);
        for (const number of new Set(sent)) {
          const before = model.get(number);
          const expectedChange = operation === "add" ? before === "absent" : before === "present";
          const impossibleChange = operation === "add" ? before === "present" : before === "absent";
          if (changed.has(number) ? impossibleChange : expectedChange) {
            tally.contradictions.push(
              `${operation} ${number}: known ${before}, answer ${changed.has(number) ? "changed" : "unchanged"}`,
            );
          }
          model.set(number, operation === "add" ? "present" : "absent");
        }
      } else if (roll < 0.75) {
        const [number = ""] = pick(1);
        const input = encodeURIComponent(JSON.stringify({ agentId: target.agentId, number }));
        const answer = await request(
          "check",
          "GET",
          `/api/trpc/blockList.check?input=${input}`,
          target.tenant.apiKey,
        );
        lastStatus = answer.status;
        const blocked = (answer.json as { result?: { data?: { blocked?: boolean } } })?.result?.data?.blocked;
        const known = model.get(number);
        if (answer.status === 200 && known !== "unknown" && blocked !== (known === "present")) {
          tally.contradictions.push(`check ${number}: known ${known}, answer blocked=${blocked}`);
        }
      } else {
        const query = new URLSearchParams({ uid: target.tenant.uid, agentId: target.agentId, limit: "100" });
        lastStatus = (await request("list", "GET", `/api/agent-block-list?${query}`, target.tenant.apiKey))
          .status;
      }
    }
  }

  async function injectFaults(): Promise<void> {
    // Faults through the first 80% of the run; the rest is quiet, so that every client's last calls are answered
    // and its model is exact again when the lists are read back.
    const faultsUntil = started + SECONDS * 800;
    const interval = (SECONDS * 800) / (FAULTS.length * 2 + 1);
    for (let turn = 0; Date.now() + interval < faultsUntil; turn++) {
      await sleep(interval);
      const fault = FAULTS[turn % FAULTS.length] ?? FAULTS[0];
      const at = ((Date.now() - started) / 1000).toFixed(0);
      if (fault === "stop PostgreSQL for 3 s") {
        await postgres.stop();
        await sleep(3000);
        await postgres.start();
      } else if (fault === "terminate a backend") {
        const admin = new pg.Client({ connectionString: postgres.url });
        await admin.connect();
        const { rowCount } = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' LIMIT 1",
        );
        await admin.end();
        if (!rowCount) {
          faultsDone.push(`${at}s: terminate a backend (none connected)`);
          continue;
        }
      } else {
        const code = await current.stop("SIGTERM");
        if (code !== 0) tally.badAnswers.push(`server exited ${code} on SIGTERM`);
        current = await startServer(serverEnv);
        server = current;
      }
      faultsDone.push(`${at}s: ${fault}`);
      console.info(`  fault at ${at}s: ${fault}`);
    }
  }

  console.info(`soak: ${SECONDS} s, ${WORKERS} workers, faults: ${FAULTS.join(", ")}`);
  await Promise.all([...workers.map(runWorker), injectFaults()]);

  // Read every list back and compare with the models.
  let checked = 0;
  let lost = 0;
  let resurrected = 0;
  let unknownResolved = 0;
  for (const target of targets) {
    const query = new URLSearchParams({ uid: target.tenant.uid, agentId: target.agentId });
    const answer = await request("list", "GET", `/api/agent-block-list?${query}`, target.tenant.apiKey);
    if (answer.status !== 200) throw new Error(`final list answered ${answer.status}`);
    const { blockList } = answer.json as { blockList: string[] };
    const stored = new Set(blockList);
    if (stored.size !== blockList.length) tally.contradictions.push(`duplicates in ${target.agentId}`);
    for (const worker of workers.filter((w) => w.target === target)) {
      for (const [number, presence] of worker.model) {
        checked++;
        if (presence === "present" && !stored.has(number)) lost++;
        if (presence === "absent" && stored.has(number)) resurrected++;
        if (presence === "unknown") unknownResolved++;
      }
    }
  }
  await current.stop("SIGTERM");
  await postgres.destroy();

  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const quantile = (q: number) => (sorted[Math.floor(q * (sorted.length - 1))] ?? 0).toFixed(1);
  const total = [...tally.byStatus.values()].reduce((a, b) => a + b, 0);
  const statuses = [...tally.byStatus.entries()]
    .sort()
    .map(([status, n]) => `${status}: ${n}`)
    .join(", ");
  const kinds = [...tally.byKind.entries()].map(([kind, n]) => `${kind}: ${n}`).join(", ");
  console.info(
    [
      "soak summary",
      `  duration        ${((Date.now() - started) / 1000).toFixed(0)} s of load, ${WORKERS} workers`,
      `  requests        ${total} (${kinds})`,
      `  by status       ${statuses}`,
      `  latency of 200  p50 ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms`,
      `  faults          ${faultsDone.length}: ${faultsDone.join("; ")}`,
      `  numbers checked ${checked - unknownResolved} against the model (${unknownResolved} more left unknown by a request that got no 200 at the end)`,
      `  lost            ${lost}`,
      `  resurrected     ${resurrected}`,
      `  contradictions  ${tally.contradictions.length}${tally.contradictions.length ? `: ${tally.contradictions.slice(0, 5).join("; ")}` : ""}`,
      `  bad answers     ${tally.badAnswers.length}${tally.badAnswers.length ? `: ${tally.badAnswers.slice(0, 5).join("; ")}` : ""}`,
    ].join("\n"),
  );
  const failed =
    lost > 0 ||
    resurrected > 0 ||
    tally.contradictions.length > 0 ||
    tally.badAnswers.length > 0 ||
    (tally.byStatus.get("500") ?? 0) > 0 ||
    (tally.byStatus.get("hung") ?? 0) > 0;
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
