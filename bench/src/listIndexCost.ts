// What the check cache's list indexes cost, in-process and so without the shared machine's noise: the memory of
// the organization list of the check scenario on entries (100,000 entries), built as the cache builds it from
// rows read through pg (every field a string of its own, as pg's parser makes them); and the time of core's
// decide over the 200 callers of the scenario, for the agent with entries and for its numbers-only twin.
//   cd bench && node --expose-gc --import tsx src/listIndexCost.ts
import { performance } from "node:perf_hooks";
import { callerOf, type DecisionEntry, decide, EMPTY_LIST_INDEX, ListIndex } from "@blocklist/core";
import { FULL_DATASET } from "./dataset";
import { entriesAgents, entriesCallers, entriesRows, type SeedEntry } from "./entriesDataset";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const fresh = (text: string) => Buffer.from(text).toString();
const agents = entriesAgents(FULL_DATASET);
const allRows = entriesRows(FULL_DATASET);
const listRows = (orgId: string, agentId: string | null) =>
  allRows.filter((row) => row.orgId === orgId && row.agentId === agentId);
const rows = listRows(agents.entries.orgId, null);

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const start = heap();
const asRead = (row: SeedEntry, i: number): DecisionEntry => ({
  id: fresh(`ent_${String(i).padStart(20, "x")}`),
  orgId: fresh(row.orgId),
  agentId: null,
  match: fresh(row.match) as DecisionEntry["match"],
  value: row.value === null ? null : fresh(row.value),
  action: fresh(row.action) as DecisionEntry["action"],
  direction: fresh(row.direction) as DecisionEntry["direction"],
  reason: row.reason === null ? null : (fresh(row.reason) as DecisionEntry["reason"]),
  note: row.note === null ? null : fresh(row.note),
  expiresAt: row.expiresInDays === null ? null : Date.now() + row.expiresInDays * 86_400_000,
});
let loaded: DecisionEntry[] | undefined = rows.map(asRead);
const asLoaded = heap();
const index = ListIndex.of(loaded);
loaded = undefined;
const indexed = heap();
const perEntry = (bytes: number) => `${Math.round(bytes / rows.length)} bytes an entry`;
process.stdout.write(
  `${rows.length} entries: as loaded ${perEntry(asLoaded - start)}; ` +
    `held by the index ${perEntry(indexed - start)} (${((indexed - start) / 1024 ** 2).toFixed(1)} MB, ` +
    `index size ${index.size})\n`,
);

const callers = entriesCallers(FULL_DATASET).map((caller) => callerOf(caller.number));
const lists = {
  "agent with entries": {
    agent: ListIndex.of(listRows(agents.entries.orgId, agents.entries.agentId).map(asRead)),
    org: index,
  },
  "agent with numbers only": {
    agent: ListIndex.of(listRows(agents.twin.orgId, agents.twin.agentId).map(asRead)),
    org: EMPTY_LIST_INDEX,
  },
};
const ROUNDS = 5_000;
for (let turn = 0; turn < 3; turn++) {
  for (const [name, both] of Object.entries(lists)) {
    const started = performance.now();
    let decided = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const caller of callers) if (decide(both, caller, "inbound", Date.now()) !== null) decided++;
    }
    const ns = ((performance.now() - started) * 1e6) / (ROUNDS * callers.length);
    process.stdout.write(
      `decide, ${name}: ${ns.toFixed(0)} ns a call (${decided / ROUNDS} of ${callers.length} decided)\n`,
    );
  }
}
