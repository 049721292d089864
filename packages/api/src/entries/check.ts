import {
  type CheckDirection,
  type CheckedCaller,
  callerOf,
  type Decision,
  type DecisionEntry,
  decide,
  decisionOf,
  ListIndex,
} from "@blocklist/core";
import { candidateEntries, caughtUpReadsOf, loadListEntries, type PrismaClient } from "@blocklist/db";
import { authorizeAgentAccess } from "../access";
import type { Caller } from "../auth";
import { checkCacheFor } from "../checkCache";
import { hitCounterFor } from "./hitCounter";

export interface CheckRequest {
  uid: string;
  agentId: string;
  /** The caller's number as the telephony layer got it; absent or empty: a withheld caller. */
  number?: string | null | undefined;
  direction?: CheckDirection | undefined;
}

/**
 * The call path: which entry of the agent's own list or of its organization's decides this caller, and
 * whether it blocks. From the check cache when both lists are held there; else from the entries that could
 * match, read by index, decided by the same function. The deciding entry, either way, counts a hit.
 */
export async function checkCaller(
  db: PrismaClient,
  caller: Caller,
  request: CheckRequest,
): Promise<Decision> {
  const orgId = await authorizeAgentAccess(db, caller, {
    uid: request.uid,
    agentId: request.agentId,
    write: false,
  });
  const checked = callerOf(request.number);
  const direction = request.direction ?? "inbound";
  const list = { orgId, agentId: request.agentId };
  // A load may come from the replica once it has replayed every change notified so far (a stale list would be
  // held until its next change); the check that cannot wait for memory reads the primary.
  const remembered = checkCacheFor(db)?.decide(list, checked, direction, (held, limit) =>
    loadListEntries(caughtUpReadsOf(db), held, limit),
  );
  const entry =
    remembered === undefined ? await decideFromDatabase(db, list, checked, direction) : remembered;
  if (entry !== null) hitCounterFor(db)?.count(entry.id, Date.now());
  return decisionOf(checked, entry);
}

async function decideFromDatabase(
  db: PrismaClient,
  list: { orgId: string; agentId: string },
  checked: CheckedCaller,
  direction: CheckDirection,
): Promise<DecisionEntry | null> {
  const candidates = await candidateEntries(db, list, checked, direction);
  const index = ListIndex.of(candidates.filter((entry) => entry.agentId !== null));
  const orgIndex = ListIndex.of(candidates.filter((entry) => entry.agentId === null));
  return decide({ agent: index, org: orgIndex }, checked, direction, Date.now());
}
