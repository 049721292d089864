import {
  type EntriesCreateBody,
  type EntriesRemoveBody,
  type EntriesUpdateBody,
  type Entry,
  type EntryCreateFailure,
  type EntryList,
  type EntryPlan,
  EntryRemovalFailureReason,
  type EntryVia,
  ErrorMessage,
  entryKey,
  planEntries,
  planRemoval,
  reportCreated,
  reportRemovedEntries,
  resolveUpdate,
  SUCCESS_MESSAGE,
} from "@blocklist/core";
import {
  deleteEntries,
  insertEntries,
  type PrismaClient,
  updateEntry as updateStoredEntry,
} from "@blocklist/db";
import { authorizeListAccess, callerOrganizations } from "../access";
import type { Caller } from "../auth";
import { checkCacheFor } from "../checkCache";
import { InvalidRequestError, NotFoundError, PermissionError } from "../errors";
import { isForeignKeyViolation } from "../foreignKeyViolation";
import { isWellFormedId } from "../ids";

export interface CreateEntriesResponse {
  message: typeof SUCCESS_MESSAGE;
  created: Entry[];
  failed: EntryCreateFailure[];
}

/**
 * Stores the valid, distinct entries of a request in one statement; the database's unique index on active
 * entries decides which already existed, so concurrent requests store each entry once and report it once.
 */
export async function createEntries(
  db: PrismaClient,
  caller: Caller,
  body: EntriesCreateBody,
  via: EntryVia,
): Promise<CreateEntriesResponse> {
  const list = await authorizeListAccess(db, caller, { ...body, write: true });
  return storePlannedEntries(db, caller, list, planEntries(body.entries, new Date()), via);
}

/**
 * The distinct entries of a plan stored by one insertEntries, in one transaction (a CSV file: all of its rows
 * or none), then every input reported once.
 */
export async function storePlannedEntries(
  db: PrismaClient,
  caller: Caller,
  list: EntryList,
  plan: EntryPlan,
  via: EntryVia,
): Promise<CreateEntriesResponse> {
  const inserted =
    plan.distinct.length === 0
      ? []
      : await insertEntries(db, list, plan.distinct, { keyId: caller.keyId, via }).catch((error: unknown) => {
          // The list's agent or organization was deleted between the access check and the insert.
          throw isForeignKeyViolation(error) ? new PermissionError() : error;
        });
  if (inserted.length > 0) checkCacheFor(db)?.entriesChangedHere(list);
  const report = reportCreated(plan, new Map(inserted.map((entry) => [entryKey(entry), entry])));
  return { message: SUCCESS_MESSAGE, ...report };
}

/** The caller's user, and a read-write key: what a change by id needs before any query. */
function requireWriter(caller: Caller, uid: string): void {
  if (uid !== caller.userId || caller.readOnly) throw new PermissionError();
}

/** Changes the reason, note or expiry of one active entry of the caller's organizations. */
export async function updateEntry(
  db: PrismaClient,
  caller: Caller,
  body: EntriesUpdateBody,
  via: EntryVia,
): Promise<Entry> {
  // An invalid expiry is a malformed body (step 2): a 400 before any permission is looked at (step 3).
  const resolved = resolveUpdate(body, new Date());
  if (!resolved.ok) throw new InvalidRequestError(ErrorMessage.invalidBody, resolved.issues);
  requireWriter(caller, body.uid);
  // A missing entry, another customer's and an id that cannot exist answer alike.
  const updated = isWellFormedId("ent", body.id)
    ? await updateStoredEntry(db, await callerOrganizations(db, caller), body.id, resolved.value, {
        keyId: caller.keyId,
        via,
      })
    : null;
  if (updated === null) throw new NotFoundError(EntryRemovalFailureReason.notFound);
  checkCacheFor(db)?.entriesChangedHere(updated);
  return updated;
}

export interface RemoveEntriesResponse {
  message: typeof SUCCESS_MESSAGE;
  removed: string[];
  failed: { id: string; reason: EntryRemovalFailureReason }[];
}

/** Removes active entries of the caller's organizations by id; any other id is "Entry not found". */
export async function removeEntries(
  db: PrismaClient,
  caller: Caller,
  body: EntriesRemoveBody,
  via: EntryVia,
): Promise<RemoveEntriesResponse> {
  requireWriter(caller, body.uid);
  const plan = planRemoval(body.ids);
  // An id that cannot exist is not asked for (it is "not found" like a missing one).
  const wellFormed = plan.distinct.filter((id) => isWellFormedId("ent", id));
  const removed =
    wellFormed.length === 0
      ? []
      : await deleteEntries(db, await callerOrganizations(db, caller), wellFormed, {
          keyId: caller.keyId,
          via,
        });
  const cache = checkCacheFor(db);
  for (const entry of removed) cache?.entriesChangedHere(entry);
  const report = reportRemovedEntries(plan, new Set(removed.map((entry) => entry.id)));
  return { message: SUCCESS_MESSAGE, ...report };
}
