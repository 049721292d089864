import {
  type AddResponse,
  type BlockListMutation,
  type BlockListQuery,
  type BlockListResponse,
  normalizePhoneNumber,
  planNumbers,
  type RemoveResponse,
  reportAdded,
  reportRemoved,
  SUCCESS_MESSAGE,
  searchDigits,
} from "@blocklist/core";
import {
  countBlockedNumbers,
  deleteBlockedNumbers,
  hasBlockedNumber,
  insertBlockedNumbers,
  loadBlockedNumbers,
  type PrismaClient,
  selectBlockedNumbers,
} from "@blocklist/db";
import { authorizeAgentAccess } from "./access";
import type { Caller } from "./auth";
import { checkCacheFor } from "./checkCache";
import { type CursorScope, decodeCursor, encodeCursor } from "./cursor";
import { cursorKeyOf } from "./cursorKey";
import { PermissionError } from "./errors";
import { isForeignKeyViolation } from "./foreignKeyViolation";

export interface BlockListPageRequest extends BlockListQuery {
  /** Only numbers whose E.164 form contains these digits (the UI's search box). */
  search?: string | undefined;
}

export interface BlockListPage extends BlockListResponse {
  /** How many numbers match `search`, when one was given. */
  matching?: number;
}

/** Every blocked number of an agent, oldest first; one page of it when `limit` is given. */
export async function listBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  request: BlockListPageRequest,
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
    selectBlockedNumbers(db, {
      ...matching,
      afterId,
      limit: request.limit === undefined ? undefined : request.limit + 1,
    }),
    wholeListInOneAnswer && !digits ? undefined : countBlockedNumbers(db, { agentId: request.agentId }),
    digits && !wholeListInOneAnswer ? countBlockedNumbers(db, matching) : undefined,
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

export interface CheckRequest {
  uid: string;
  agentId: string;
  number: string;
}

/**
 * The call path: is this caller on the agent's list? A number that is not valid is never blocked. With the
 * server's check cache the answer comes from the agent's numbers in memory once they are loaded; until then,
 * and for agents too large to hold, from the unique index.
 */
export async function checkBlockedNumber(
  db: PrismaClient,
  caller: Caller,
  request: CheckRequest,
): Promise<{ blocked: boolean; e164: string | null }> {
  await authorizeAgentAccess(db, caller, { uid: request.uid, agentId: request.agentId, write: false });
  const e164 = normalizePhoneNumber(request.number);
  if (e164 === null) return { blocked: false, e164 };
  const remembered = checkCacheFor(db)?.blocked(request.agentId, e164, (limit) =>
    loadAgentNumbers(db, request.agentId, limit),
  );
  if (remembered !== undefined) return { blocked: remembered, e164 };
  return { blocked: await hasBlockedNumber(db, request.agentId, e164), e164 };
}

/** Up to `limit` blocked numbers of an agent, in no order, in one round trip (the check cache's load). */
export const loadAgentNumbers = loadBlockedNumbers;

/**
 * Adds the valid, distinct numbers as inbound block entries (insertBlockedNumbers: concurrent requests neither
 * store a number twice nor both report it added, and cannot deadlock).
 */
export async function addBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  mutation: BlockListMutation,
): Promise<AddResponse> {
  await authorizeAgentAccess(db, caller, { uid: mutation.uid, agentId: mutation.agentId, write: true });
  const plan = planNumbers(mutation.numbers);

  const inserted =
    plan.distinctNumbers.length === 0
      ? []
      : await insertBlockedNumbers(db, mutation.agentId, plan.distinctNumbers, caller.keyId).catch(
          (error: unknown) => {
            // The agent (or the key) was deleted between the access check and the insert: as if it were missing.
            throw isForeignKeyViolation(error) ? new PermissionError() : error;
          },
        );
  if (inserted.length > 0) checkCacheFor(db)?.numbersChangedHere(mutation.agentId);

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
): Promise<RemoveResponse> {
  await authorizeAgentAccess(db, caller, { uid: mutation.uid, agentId: mutation.agentId, write: true });
  const plan = planNumbers(mutation.numbers);

  const deleted =
    plan.distinctNumbers.length === 0
      ? []
      : await deleteBlockedNumbers(db, mutation.agentId, plan.distinctNumbers);
  if (deleted.length > 0) checkCacheFor(db)?.numbersChangedHere(mutation.agentId);

  return {
    message: SUCCESS_MESSAGE,
    ...reportRemoved(plan, deleted),
  };
}
