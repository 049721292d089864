// What the decision (core's decide) reads: a whole list for the check cache, or, without the cache, only the
// entries of an agent's and its organization's lists that could decide for one caller.
import type { CheckDirection, CheckedCaller, DecisionEntry, EntryList } from "@blocklist/core";
import { poolOf } from "./client";
import { ACTIVE, DECISION_COLUMNS, type DecisionRow, listWhere, toDecisionEntry } from "./entryRows";
import type { PrismaClient } from "./generated/prisma/client";

/**
 * Up to `limit` active entries of the list, oldest first (ties between equal entries decide oldest first, the
 * same on both paths), in one round trip (the check cache's load).
 */
export async function loadListEntries(
  db: PrismaClient,
  list: EntryList,
  limit: number,
): Promise<DecisionEntry[]> {
  const values: unknown[] = [];
  const where = listWhere(list, values);
  values.push(limit);
  const { rows } = await poolOf(db).query<DecisionRow>(
    `SELECT ${DECISION_COLUMNS} FROM entries e WHERE ${where} AND ${ACTIVE} ORDER BY e.seq LIMIT $${values.length}`,
    values,
  );
  return rows.map(sharingRepeatedStrings());
}

/**
 * toDecisionEntry for the rows of one list load, where the same few strings come back in every row (the list's
 * org and agent ids, match, action, direction, reason): pg makes each afresh, so the entries of a held list
 * share one copy of each instead (~160 bytes less an entry; docs/BENCHMARKS.md, "RSS after the run").
 */
function sharingRepeatedStrings(): (row: DecisionRow) => DecisionEntry {
  const seen = new Map<string, string>();
  const shared = <T extends string | null>(text: T): T => {
    if (text === null) return text;
    const first = seen.get(text);
    if (first !== undefined) return first as T;
    seen.set(text, text);
    return text;
  };
  return (row) =>
    toDecisionEntry({
      ...row,
      org_id: shared(row.org_id),
      agent_id: shared(row.agent_id),
      match: shared(row.match),
      action: shared(row.action),
      direction: shared(row.direction),
      reason: shared(row.reason),
    });
}

/** `+14155552671` → `+1`, `+14`, …, `+14155552671`: every value a prefix entry matching it can hold. */
export function prefixesOf(e164: string): string[] {
  return Array.from({ length: e164.length - 1 }, (_, index) => e164.slice(0, index + 2));
}

/**
 * The active entries of the agent's own list and of its organization's list that could decide for this caller
 * and direction: its number, any prefix of it, withheld (for a withheld caller only), any. Indexed lookups only:
 * entries(agent_id, value) and entries(org_id, value) WHERE agent_id IS NULL, by the caller's values and by NULL
 * (withheld and any entries hold no value).
 */
export async function candidateEntries(
  db: PrismaClient,
  lists: { orgId: string; agentId: string },
  caller: CheckedCaller,
  direction: CheckDirection,
): Promise<DecisionEntry[]> {
  const prefixes = caller.e164 === null ? [] : prefixesOf(caller.e164);
  const matching = `(e.value = ANY($3::text[]) OR e.value IS NULL) AND ${ACTIVE}
    AND e.direction IN ($4, 'both')
    AND ((e.match = 'number' AND e.value = $5) OR e.match = 'prefix' OR e.match = 'any'
      OR (e.match = 'withheld' AND $5::text IS NULL))`;
  const { rows } = await poolOf(db).query<DecisionRow>(
    `SELECT ${DECISION_COLUMNS}, e.seq FROM entries e WHERE e.agent_id = $2 AND ${matching}
     UNION ALL
     SELECT ${DECISION_COLUMNS}, e.seq FROM entries e WHERE e.org_id = $1 AND e.agent_id IS NULL AND ${matching}
     ORDER BY seq`,
    [lists.orgId, lists.agentId, prefixes, direction, caller.e164],
  );
  return rows.map(toDecisionEntry);
}
