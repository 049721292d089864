import {
  type AddResponse,
  type BlockListAddition,
  type BlockListMutation,
  type BlockListQuery,
  type BlockListResponse,
  type EntryVia,
  ErrorMessage,
  planNumbers,
  type RemoveResponse,
  reportAdded,
  reportRemoved,
  resolveAddition,
  SUCCESS_MESSAGE,
  searchDigits,
} from "@blocklist/core";
import {
  countBlockedNumbers,
  deleteBlockedNumbers,
  insertBlockedNumbers,
  type PrismaClient,
  selectBlockedNumbers,
} from "@blocklist/db";
import { authorizeAgentAccess } from "./access";
import type { Caller } from "./auth";
import { checkCacheFor } from "./checkCache";
import { type CursorScope, decodeCursor, encodeCursor } from "./cursor";
import { cursorKeyOf } from "./cursorKey";
import { InvalidRequestError, PermissionError } from "./errors";
import { isForeignKeyViolation } from "./foreignKeyViolation";

export interface BlockListPageRequest extends BlockListQuery {
  /** Only numbers whose E.164 form contains these digits (the UI's search box). */
  search?: string | undefined;
}

export interface BlockListPage extends BlockListResponse {
  /** How many numbers match `search`, when one was given. */
  matching?: number;
}

/**
 * Every blocked number of an agent, oldest first; one page of it when `limit` is given. The numbers and counts
 * are read through `reads` (a replica's, laggingReadsOf, where lag is acceptable); access through `db`.
 */
export async function listBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  request: BlockListPageRequest,
  reads: PrismaClient = db,
): Promise<BlockListPage> {
  // A cursor of this agent's list pages it and no other list.
  const scope: CursorScope = { kind: "blocked-numbers", listId: request.agentId };
  const afterId =
    request.cursor === undefined ? undefined : decodeCursor(await cursorKeyOf(db), scope, request.cursor);
  await authorizeAgentAccess(db, caller, { uid: request.uid, agentId: request.agentId, write: false });

  const digits = searchDigits(request.search);
  const matching = { agentId: request.agentId, containingDigits: digits };
  const wholeListInOneAnswer = request.limit === undefined && afterId === undefined;
  // The whole list counts itself; a page (or a search) needs counts from the index, asked at the same time.
  const [rows, countFromIndex, matchingFromIndex] = await Promise.all([
    // One extra row tells whether another page follows without a second query.
    selectBlockedNumbers(reads, {
      ...matching,
      afterId,
      limit: request.limit === undefined ? undefined : request.limit + 1,
    }),
    wholeListInOneAnswer && !digits ? undefined : countBlockedNumbers(reads, { agentId: request.agentId }),
    digits && !wholeListInOneAnswer ? countBlockedNumbers(reads, matching) : undefined,
  ]);
  const hasMore = request.limit !== undefined && rows.numbers.length > request.limit;
  const page = hasMore ? rows.numbers.slice(0, request.limit) : rows.numbers;
  const count = countFromIndex ?? rows.numbers.length;
  const matchingCount = digits ? (matchingFromIndex ?? rows.numbers.length) : undefined;
  const lastId = hasMore ? rows.ids?.[page.length - 1] : undefined;
  const nextCursor = lastId === undefined ? undefined : encodeCursor(await cursorKeyOf(db), scope, lastId);
  return {
    blockList: page,
    count,
    ...(matchingCount === undefined ? {} : { matching: matchingCount }),
    ...(nextCursor === undefined ? {} : { nextCursor }),
  };
}

/**
 * Adds the valid, distinct numbers as inbound block entries (insertBlockedNumbers: concurrent requests neither
 * store a number twice nor both report it added, and cannot deadlock).
 */
export async function addBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  addition: BlockListAddition,
  /** The interface the numbers came through; the published REST route unless said. */
  via: EntryVia = "rest",
): Promise<AddResponse> {
  // A reason, note or expiry applies to every number added; an invalid expiry is a 400 like any bad field,
  // so it is judged before permissions (step 2 before step 3).
  const extras = resolveAddition(addition, new Date());
  if (!extras.ok) throw new InvalidRequestError(ErrorMessage.invalidBody, extras.issues);
  const orgId = await authorizeAgentAccess(db, caller, {
    uid: addition.uid,
    agentId: addition.agentId,
    write: true,
  });
  const plan = planNumbers(addition.numbers);
  const list = { orgId, agentId: addition.agentId };

  const inserted =
    plan.distinctNumbers.length === 0
      ? []
      : await insertBlockedNumbers(
          db,
          list,
          plan.distinctNumbers,
          { keyId: caller.keyId, via },
          extras.value,
        ).catch((error: unknown) => {
          // The agent (or the key) was deleted between the access check and the insert: as if it were missing.
          throw isForeignKeyViolation(error) ? new PermissionError() : error;
        });
  if (inserted.length > 0) checkCacheFor(db)?.entriesChangedHere(list);

  return {
    message: SUCCESS_MESSAGE,
    ...reportAdded(plan, inserted),
  };
}

/**
 * Removes the valid, distinct numbers: their inbound and both block entries (deleteBlockedNumbers: each removal is
 * reported by exactly one of concurrent requests).
 */
export async function removeBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  mutation: BlockListMutation,
  /** The interface the numbers came through; the published REST route unless said. */
  via: EntryVia = "rest",
): Promise<RemoveResponse> {
  const orgId = await authorizeAgentAccess(db, caller, {
    uid: mutation.uid,
    agentId: mutation.agentId,
    write: true,
  });
  const plan = planNumbers(mutation.numbers);

  const deleted =
    plan.distinctNumbers.length === 0
      ? []
      : await deleteBlockedNumbers(db, mutation.agentId, plan.distinctNumbers, { keyId: caller.keyId, via });
  if (deleted.length > 0) checkCacheFor(db)?.entriesChangedHere({ orgId, agentId: mutation.agentId });

  return {
    message: SUCCESS_MESSAGE,
    ...reportRemoved(plan, deleted),
  };
}
