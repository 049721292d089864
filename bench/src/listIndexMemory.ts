// How much memory the check cache's index of one list costs per entry: the organization list of the check
// scenario on entries (100,000 entries), built as the cache builds it from rows read through pg (every field a
// string of its own, as pg's parser makes them).
//   cd bench && node --expose-gc --import tsx src/listIndexMemory.ts
import { type DecisionEntry, ListIndex } from "@blocklist/core";
import { FULL_DATASET } from "./dataset";
import { entriesAgents, entriesRows } from "./entriesDataset";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const fresh = (text: string) => Buffer.from(text).toString();
const orgId = entriesAgents(FULL_DATASET).entries.orgId;
const rows = entriesRows(FULL_DATASET).filter((row) => row.orgId === orgId && row.agentId === null);

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const start = heap();
let loaded: DecisionEntry[] | undefined = rows.map((row, i) => ({
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
}));
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
