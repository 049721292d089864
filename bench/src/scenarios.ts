// What the benchmark asks of each server. Every scenario checks the answers it gets (a fast wrong answer
// measures nothing) and returns plain numbers; run.ts decides the order and the repetitions.
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import {
  agentId,
  agentOfRow,
  BIG_AGENT,
  type DatasetSize,
  listSizeOf,
  MEDIUM_AGENT,
  numberAt,
  POST_AGENT,
  postBatchNumbers,
  unblockedNumber,
} from "./dataset";
import { type EntriesCaller, entriesAgents, entriesCallers } from "./entriesDataset";
import { type LoadResult, runLoad } from "./load";
import { readCpuSeconds, withPeakMemory } from "./memory";
import type { ServerProcess } from "./processes";
import type { SeededData } from "./seed";
import { mapEach } from "./sides";

/** How long a load runs: for a time, or for a number of answers (warm-ups, which a slow machine must not fail). */
export type LoadLength = { durationSeconds: number } | { amount: number };

const API_KEY_HEADER = "X-Authorization";
/** Distinct (agent, number) questions the `check` load cycles through: half blocked, half not. */
export const CHECK_QUESTIONS = 200;

/** The two agents of the `check` scenario on entries: the one with entries, and its numbers-only twin. */
export type EntriesAgent = "entries" | "twin";

export interface Scenarios {
  check(server: ServerProcess, connections: number, length: LoadLength): Promise<MeasuredLoad>;
  /** `check` of entriesCallers() on one of the two agents of the scenario on entries. */
  checkEntries(
    server: ServerProcess,
    agent: EntriesAgent,
    connections: number,
    length: LoadLength,
  ): Promise<MeasuredLoad>;
  list(server: ServerProcess, connections: number, length: LoadLength): Promise<MeasuredLoad>;
  /** Wall time and server CPU time of one bulk POST of `postBatch` new numbers (batch picks which numbers). */
  post(server: ServerProcess, batch: number): Promise<TimedRequest>;
  bigListWhole(server: ServerProcess): Promise<BigListRead>;
  bigListPaged(server: ServerProcess): Promise<BigListRead & { pages: number }>;
  /**
   * Asks the servers the same questions and fails unless they answer alike: `check`s of all three, the list of
   * the service and the baseline (the all-in-memory reference answers only `check`).
   */
  assertSameAnswers(service: ServerProcess, baseline: ServerProcess, memory: ServerProcess): Promise<void>;
  /**
   * What the check cache holds once every list `check` asks about is loaded (an empty list weighs one), the
   * numbers post() has added so far included.
   */
  checkLists(): { lists: number; entries: number };
  /** Asks the service every caller of the scenario on entries, on both agents, and fails unless each is answered as expected. */
  assertEntriesAnswers(service: ServerProcess): Promise<void>;
}

export interface MeasuredLoad extends LoadResult {
  /** CPU time the server process spent per answered request, milliseconds (its database work not included). */
  cpuMsPerRequest: number;
}

async function withCpuPerRequest(
  server: ServerProcess,
  load: () => Promise<LoadResult>,
): Promise<MeasuredLoad> {
  const cpuBefore = await readCpuSeconds(server.pid);
  const result = await load();
  const cpuSeconds = (await readCpuSeconds(server.pid)) - cpuBefore;
  return { ...result, cpuMsPerRequest: (cpuSeconds * 1000) / result.requests };
}

export interface TimedRequest {
  seconds: number;
  /** CPU time the server process spent meanwhile. */
  cpuSeconds: number;
}

export interface BigListRead {
  seconds: number;
  /** Highest server RSS while the list was read, bytes. */
  peakRss: number;
  /** How far RSS rose above what it was just before: the memory the read itself needed. */
  rssGrowth: number;
}

export function createScenarios(size: DatasetSize, seeded: SeededData): Scenarios {
  const headers = { [API_KEY_HEADER]: seeded.apiKey };
  const checkPath = (question: { agentId: string; number: string }) =>
    `/api/trpc/blockList.check?input=${encodeURIComponent(JSON.stringify(question))}`;
  const checkPaths = checkQuestions(size).map(({ agentId, number }) => checkPath({ agentId, number }));
  const callers = entriesCallers(size);
  const agents = entriesAgents(size);
  const entriesPaths = mapEach(agents, ({ agentId }) =>
    callers.map((caller) => checkPath({ agentId, number: caller.number })),
  );
  const listPath = (agent: number, page = "") =>
    `/api/agent-block-list?uid=${seeded.uid}&agentId=${agentId(agent)}${page}`;

  async function getJson(server: ServerProcess, path: string): Promise<unknown> {
    const response = await fetch(server.url + path, { headers });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${server.name} GET ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  async function readBigList(server: ServerProcess, pageSize?: number): Promise<number> {
    let pages = 0;
    let numbers = 0;
    let cursor: string | undefined;
    do {
      const page =
        pageSize === undefined
          ? ""
          : `&limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const body = (await getJson(server, listPath(BIG_AGENT, page))) as ListAnswer;
      numbers += body.blockList.length;
      if (body.count !== size.bigList) throw new Error(`${server.name}: big list count ${body.count}`);
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    if (numbers !== size.bigList)
      throw new Error(`${server.name}: read ${numbers} of ${size.bigList} numbers`);
    return pages;
  }

  const questionAgents = new Set(checkQuestions(size).map((question) => question.agentIndex));
  const organizations = new Set(
    [...questionAgents].map((agent) => Math.floor(agent / size.agentsPerOrganization)),
  );
  // Numbers every POST added to POST_AGENT's list, through either server (they share the database).
  let posted = 0;
  const heldSize = (agent: number) => listSizeOf(agent, size) + (agent === POST_AGENT ? posted : 0);

  return {
    checkLists: () => ({
      // Every agent's own list, and its organization's, which the dataset leaves empty.
      lists: questionAgents.size + organizations.size,
      entries: [...questionAgents].reduce((sum, agent) => sum + heldSize(agent), 0) + organizations.size,
    }),

    check: (server, connections, length) =>
      withCpuPerRequest(server, () =>
        runLoad({ baseUrl: server.url, paths: checkPaths, headers, connections, ...length }),
      ),

    checkEntries: (server, agent, connections, length) =>
      withCpuPerRequest(server, () =>
        runLoad({ baseUrl: server.url, paths: entriesPaths[agent], headers, connections, ...length }),
      ),

    list: (server, connections, length) =>
      withCpuPerRequest(server, () =>
        runLoad({ baseUrl: server.url, paths: [listPath(MEDIUM_AGENT)], headers, connections, ...length }),
      ),

    async post(server, batch) {
      const numbers = postBatchNumbers(batch, size);
      const body = JSON.stringify({ uid: seeded.uid, agentId: agentId(POST_AGENT), numbers });
      const cpuBefore = await readCpuSeconds(server.pid);
      const started = performance.now();
      const response = await fetch(`${server.url}/api/agent-block-list`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body,
      });
      const answer = (await response.json()) as { added?: string[] };
      const seconds = (performance.now() - started) / 1000;
      const cpuSeconds = (await readCpuSeconds(server.pid)) - cpuBefore;
      if (response.status !== 200 || answer.added?.length !== numbers.length) {
        throw new Error(`${server.name} POST: ${response.status}, added ${answer.added?.length}`);
      }
      posted += numbers.length;
      return { seconds, cpuSeconds };
    },

    async bigListWhole(server) {
      const started = performance.now();
      const { peak, before } = await withPeakMemory(server.pid, () => readBigList(server));
      return { seconds: (performance.now() - started) / 1000, peakRss: peak, rssGrowth: peak - before };
    },

    async bigListPaged(server) {
      const started = performance.now();
      const {
        result: pages,
        peak,
        before,
      } = await withPeakMemory(server.pid, () => readBigList(server, size.pageSize));
      return {
        seconds: (performance.now() - started) / 1000,
        peakRss: peak,
        rssGrowth: peak - before,
        pages,
      };
    },

    async assertSameAnswers(service, baseline, memory) {
      const questions = [
        ...checkPaths.slice(0, 4).map((path) => ({ path, servers: [service, baseline, memory] })),
        { path: listPath(MEDIUM_AGENT), servers: [service, baseline] },
      ];
      for (const { path, servers } of questions) {
        const answers = await Promise.all(
          servers.map(async (server) => JSON.stringify(await getJson(server, path))),
        );
        if (new Set(answers).size !== 1) {
          const each = servers.map((server, i) => `${server.name}: ${answers[i]}`);
          throw new Error(`answers differ for ${path}:\n${each.join("\n")}`);
        }
      }
      const firstCheck = (await getJson(service, checkPaths[0] as string)) as {
        result: { data: { blocked: boolean } };
      };
      if (!firstCheck.result.data.blocked) throw new Error("a seeded number is not blocked");
      const list = (await getJson(service, listPath(MEDIUM_AGENT))) as ListAnswer;
      if (list.count !== size.mediumList) throw new Error(`the medium list holds ${list.count} numbers`);
    },

    async assertEntriesAnswers(service) {
      const wrong: string[] = [];
      for (const agent of ["entries", "twin"] as const) {
        for (const [k, caller] of callers.entries()) {
          const answer = (await getJson(service, entriesPaths[agent][k] as string)) as CheckAnswer;
          const got = summarize(answer.result.data, agents.entries.agentId);
          const expected = expectedAnswer(caller, agent);
          if (!isDeepStrictEqual(got, expected)) {
            const [a, b] = [got, expected].map((value) => JSON.stringify(value));
            wrong.push(`${agent} ${caller.kind} ${caller.number}: ${a}, expected ${b}`);
          }
        }
      }
      if (wrong.length > 0) throw new Error(`wrong answers on entries:\n${wrong.join("\n")}`);
    },
  };
}

interface CheckAnswer {
  result: {
    data: {
      blocked: boolean;
      e164: string | null;
      entry: { agentId: string | null; match: string; value: string | null; action: string } | null;
    };
  };
}

/** A check answer in the terms of ExpectedDecision (the deciding entry's id is the database's). */
interface AnswerSummary {
  blocked: boolean;
  e164: string | null;
  decidedBy: { list: "agent" | "org" | "twin"; match: string; value: string | null; action: string } | null;
}

function summarize(answer: CheckAnswer["result"]["data"], entriesAgentId: string): AnswerSummary {
  const { entry } = answer;
  const list = entry?.agentId === null ? "org" : entry?.agentId === entriesAgentId ? "agent" : "twin";
  const decidedBy = entry && { list, match: entry.match, value: entry.value, action: entry.action };
  return { blocked: answer.blocked, e164: answer.e164, decidedBy } as AnswerSummary;
}

/** The twin holds the agent's numbers as blocks and nothing else. */
function expectedAnswer(caller: EntriesCaller, agent: EntriesAgent): AnswerSummary {
  const e164 = caller.kind === "withheld" ? null : caller.number;
  if (agent === "entries") {
    return { blocked: caller.decidedBy?.action === "block", e164, decidedBy: caller.decidedBy };
  }
  const decidedBy = caller.blockedOnTwin
    ? { list: "twin" as const, match: "number", value: caller.number, action: "block" }
    : null;
  return { blocked: caller.blockedOnTwin, e164, decidedBy };
}

interface ListAnswer {
  blockList: string[];
  count: number;
  nextCursor?: string;
}

/** Seeded rows spread over the table (their agents vary), each asked once as blocked and once not. */
function checkQuestions(size: DatasetSize): { agentId: string; number: string; agentIndex: number }[] {
  const questions: { agentId: string; number: string; agentIndex: number }[] = [];
  for (let k = 0; k < CHECK_QUESTIONS / 2; k += 1) {
    const row = Math.floor((k * size.numbers) / (CHECK_QUESTIONS / 2));
    const agentIndex = agentOfRow(row, size);
    const agent = agentId(agentIndex);
    questions.push(
      { agentId: agent, number: numberAt(row), agentIndex },
      { agentId: agent, number: unblockedNumber(k, size), agentIndex },
    );
  }
  return questions;
}
