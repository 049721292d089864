import { blockedNumberBatches, type PrismaClient } from "@blocklist/db";
import { authorizeAgentAccess } from "./access";
import type { Caller } from "./auth";

/** Numbers read per query while an agent's whole list streams out. */
const STREAM_BATCH_SIZE = 20_000;

/**
 * GET without `limit`: the agent's whole list as the JSON text of a BlockListResponse (`{ blockList, count }`), in pieces, so that a list
 * of any size is answered in the memory of one batch. Access is checked before the first piece; `count` comes
 * last, the number of numbers actually sent.
 */
export async function streamWholeBlockList(
  db: PrismaClient,
  caller: Caller,
  request: { uid: string; agentId: string },
  /** Where the numbers are read (a replica's, laggingReadsOf, where lag is acceptable). */
  reads: PrismaClient = db,
): Promise<AsyncGenerator<string>> {
  await authorizeAgentAccess(db, caller, { ...request, write: false });
  const batches = blockedNumberBatches(reads, request.agentId, STREAM_BATCH_SIZE);
  // Read before the answer starts, so that a database away answers 503 rather than a cut-off 200.
  const first = await batches.next();
  return (async function* () {
    yield '{"blockList":[';
    let count = 0;
    for (let batch = first; !batch.done; batch = await batches.next()) {
      yield (count === 0 ? "" : ",") + batch.value.map((number) => JSON.stringify(number)).join(",");
      count += batch.value.length;
    }
    yield `],"count":${count}}`;
  })();
}
