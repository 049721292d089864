import {
  type DecidingEntry,
  type Decision,
  type Entry,
  EntryFailureReason,
  EntryRemovalFailureReason,
  INVALID_EXPIRES_IN_ISSUE,
  MAX_ENTRIES_PAGE_LIMIT,
} from "../entries";
import { ErrorMessage, FailureReason, SUCCESS_MESSAGE } from "../messages";
import type { AddResponse, BlockListResponse, ErrorResponse } from "../schemas";
import { type ApiExample, EXAMPLE_TENANT, insufficientPermissions, invalidKey } from "./examples";
import type { ExampleSetup, ExampleSetupEntry } from "./types";

// The examples of /api/block-list-entries and /api/block-list-check, and of what entries changed on the
// published route. They are about the entries below, made before the request (`x-setup`).

const uid = EXAMPLE_TENANT.uid;
const orgId = EXAMPLE_TENANT.organization.id;
const agentId = EXAMPLE_TENANT.agents[0].id;
const { instants, newEntryIds, eventIds } = EXAMPLE_TENANT;
const ownList = { orgId, agentId } as const;
const orgList = { orgId, agentId: null } as const;

/** An id no list holds. */
const MISSING_ENTRY_ID = "ent_5Zn0BqT7xCv2MwK9dRhF";

const FIXTURES = {
  premiumPrefix: {
    id: "ent_4Vb7QmX2kTz9LcR1hWsN",
    ...orgList,
    match: "prefix",
    value: "+1900",
    action: "block",
    direction: "inbound",
    reason: "spam",
    note: "Premium-rate spam",
  },
  partner: {
    id: "ent_8Fy3NdJ6wPq0GxK5tBmA",
    ...ownList,
    match: "number",
    value: "+19002345678",
    action: "allow",
    direction: "inbound",
    reason: null,
    note: "Our partner's hotline",
  },
  withheld: {
    id: "ent_2Lr9HsC4vZe7TnM1jQxD",
    ...ownList,
    match: "withheld",
    value: null,
    action: "block",
    direction: "inbound",
    reason: null,
    note: null,
  },
  abusiveCaller: {
    id: "ent_6Kp1WgY8bUa3RdF0cNzS",
    ...ownList,
    match: "number",
    value: "+14155552671",
    action: "block",
    direction: "inbound",
    reason: "abuse",
    note: null,
  },
  doNotCall: {
    id: "ent_0Xt5MhE2qJw9VkB7pLyG",
    ...ownList,
    match: "number",
    value: "+12025550173",
    action: "block",
    direction: "outbound",
    reason: "do_not_call",
    note: "Asked not to be called",
  },
} as const satisfies Record<string, DecidingEntry>;

/** The fixtures made before the request, one create each, in this order. */
function madeBefore(...fixtures: DecidingEntry[]): ExampleSetup {
  return {
    entries: fixtures.map(
      ({ id, agentId: ownerAgentId, match, value, action, direction, reason, note }): ExampleSetupEntry => ({
        id,
        list: ownerAgentId === null ? "organization" : "agent",
        entry: { match, value, action, direction, reason, note },
      }),
    ),
  };
}

const createdBy = { userId: uid, keyPrefix: EXAMPLE_TENANT.keyPrefix, via: "rest" } as const;
// The setup's creates, one request each, in turn.
const CREATED_IN_TURN = [instants.created, instants.createdNext, instants.createdLast];

/** An entry as the API answers it: made through REST by the user's read-write key, never hit yet. */
function answered(entry: DecidingEntry, createdAt: string, changes: Partial<Entry> = {}): Entry {
  return { ...entry, expiresAt: null, createdAt, createdBy, hits: 0, lastHitAt: null, ...changes };
}

/** A fixture as the API answers it, made in its turn of `setup`. */
function madeIn(setup: ExampleSetup, entry: DecidingEntry, changes: Partial<Entry> = {}): Entry {
  const turn = setup.entries?.findIndex((made) => made.id === entry.id) ?? -1;
  const createdAt = CREATED_IN_TURN[turn];
  if (createdAt === undefined) throw new Error(`${entry.id} is not made by this setup`);
  return answered(entry, createdAt, changes);
}

// --- GET /api/block-list-entries --------------------------------------------------------------------------

const agentsEntries = madeBefore(FIXTURES.partner, FIXTURES.withheld, FIXTURES.abusiveCaller);
const bothLists = madeBefore(FIXTURES.premiumPrefix, FIXTURES.abusiveCaller);

export const listEntriesExamples: Record<string, ApiExample> = {
  agentsList: {
    summary: "An agent's own list",
    description:
      "Oldest first. The organization's entries, which the agent obeys too, are a list of their own.",
    setup: agentsEntries,
    query: { uid, agentId },
    status: 200,
    response: {
      entries: [FIXTURES.partner, FIXTURES.withheld, FIXTURES.abusiveCaller].map((entry) =>
        madeIn(agentsEntries, entry),
      ),
      count: 3,
    },
  },
  organizationsList: {
    summary: "The organization's list",
    description: "Obeyed by every agent of the organization; `agentId` is null.",
    setup: bothLists,
    query: { uid, orgId },
    status: 200,
    response: { entries: [madeIn(bothLists, FIXTURES.premiumPrefix)], count: 1 },
  },
  filtered: {
    summary: "Only the blocks",
    description: "Filters combine; `count` counts the entries that match them.",
    setup: agentsEntries,
    query: { uid, agentId, action: "block" },
    status: 200,
    response: {
      entries: [FIXTURES.withheld, FIXTURES.abusiveCaller].map((entry) => madeIn(agentsEntries, entry)),
      count: 2,
    },
  },
  firstPage: {
    summary: "The first page",
    description: "`nextCursor` is present because more entries follow; send it back as `cursor`.",
    setup: agentsEntries,
    query: { uid, agentId, limit: "2" },
    status: 200,
    response: {
      entries: [FIXTURES.partner, FIXTURES.withheld].map((entry) => madeIn(agentsEntries, entry)),
      count: 3,
      nextCursor: EXAMPLE_TENANT.cursor,
    },
  },
  bothListsNamed: {
    summary: "Both agentId and orgId",
    query: { uid, agentId, orgId },
    status: 400,
    response: {
      error: ErrorMessage.invalidQuery,
      issues: [{ path: "", message: "give exactly one of agentId and orgId" }],
    } satisfies ErrorResponse,
  },
  unknownFilterValue: {
    summary: "A filter with an unknown value",
    query: { uid, agentId, reason: "scam" },
    status: 400,
    response: {
      error: ErrorMessage.invalidQuery,
      issues: [{ path: "reason", message: "reason must be one of spam, abuse, fraud, do_not_call, other" }],
    } satisfies ErrorResponse,
  },
  missingKey: {
    summary: "No X-Authorization header",
    setup: { apiKey: "none" },
    query: { uid, orgId },
    status: 401,
    response: invalidKey,
  },
  otherCustomersOrganization: {
    summary: "Another customer's organization",
    description: "An organization that does not exist answers exactly the same.",
    query: { uid, orgId: EXAMPLE_TENANT.otherCustomersOrgId },
    status: 401,
    response: insufficientPermissions,
  },
};

// --- GET /api/block-list-entries/history ------------------------------------------------------------------

const agentsTwoEntries = madeBefore(FIXTURES.partner, FIXTURES.abusiveCaller);
/** The `created` events of agentsTwoEntries, newest first: each at its entry's createdAt, by the user's key. */
const [abusiveCallerCreated, partnerCreated] = [FIXTURES.abusiveCaller, FIXTURES.partner].map(
  (fixture, index) => {
    const entry = madeIn(agentsTwoEntries, fixture);
    return { id: eventIds[index], at: entry.createdAt, type: "created", entry, by: createdBy } as const;
  },
);

export const historyExamples: Record<string, ApiExample> = {
  agentsHistory: {
    summary: "An agent's list's history",
    description: "Newest first. Every change is there: created, updated, removed and expired entries.",
    setup: agentsTwoEntries,
    query: { uid, agentId },
    status: 200,
    response: { events: [abusiveCallerCreated, partnerCreated] },
  },
  historyFirstPage: {
    summary: "The newest event, and a cursor to the older ones",
    setup: agentsTwoEntries,
    query: { uid, agentId, limit: "1" },
    status: 200,
    response: { events: [abusiveCallerCreated], nextCursor: EXAMPLE_TENANT.cursor },
  },
  historyLimitOutOfRange: {
    summary: "A limit above the largest page",
    query: { uid, agentId, limit: String(MAX_ENTRIES_PAGE_LIMIT + 1) },
    status: 400,
    response: {
      error: ErrorMessage.invalidQuery,
      issues: [
        { path: "limit", message: `limit must be a whole number from 1 to ${MAX_ENTRIES_PAGE_LIMIT}` },
      ],
    } satisfies ErrorResponse,
  },
  historyOfOtherCustomersAgent: {
    summary: "Another customer's agent",
    description: "An agent that does not exist answers exactly the same.",
    query: { uid, agentId: EXAMPLE_TENANT.otherCustomersAgentId },
    status: 401,
    response: insufficientPermissions,
  },
};

// --- POST /api/block-list-entries -------------------------------------------------------------------------

const [firstNewId, secondNewId, thirdNewId, fourthNewId] = newEntryIds;
const abusiveCallerMade = madeBefore(FIXTURES.abusiveCaller);

const created = (id: string, entry: Omit<DecidingEntry, "id">, changes: Partial<Entry> = {}): Entry =>
  answered({ ...entry, id }, instants.created, changes);

const everyFailure = [
  { match: "number", value: "+1 415 555 2671" },
  { match: "prefix", value: "+1" },
  { match: "prefix", value: "+28" },
  { match: "number", value: "4155552671" },
  { match: "range", value: "+1900" },
  { match: "prefix", value: "+44 70", expiresIn: "10y" },
  { match: "withheld", reason: "spam" },
  { match: "withheld", note: "The same entry again" },
];
const failure = (index: number, reason: EntryFailureReason) => ({
  index,
  entry: everyFailure[index],
  reason,
});

export const createEntriesExamples: Record<string, ApiExample> = {
  severalKinds: {
    summary: "A prefix, an allow, withheld callers and a do-not-call number",
    description:
      "The prefix blocks for 30 days. The allow lets one number of that prefix through. A `do_not_call` " +
      "entry is outbound unless told otherwise. `created` is in request order.",
    body: {
      uid,
      agentId,
      entries: [
        { match: "prefix", value: "+1 900", reason: "spam", expiresIn: "30d" },
        { match: "number", value: "+1 (900) 234-5678", action: "allow", note: "Our partner's hotline" },
        { match: "withheld" },
        { match: "number", value: "+1 202 555 0173", reason: "do_not_call" },
      ],
    },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      created: [
        created(
          firstNewId,
          { ...FIXTURES.premiumPrefix, ...ownList, note: null },
          { expiresAt: instants.inThirtyDays },
        ),
        created(secondNewId, FIXTURES.partner),
        created(thirdNewId, FIXTURES.withheld),
        created(fourthNewId, { ...FIXTURES.doNotCall, note: null }),
      ],
      failed: [],
    },
  },
  everyFailureReason: {
    summary: "One entry for each failure reason",
    description:
      "Each entry is answered once; a failed one is shown as it was sent, with its 0-based `index`. The first " +
      "of two equal entries counts (their reason and note do not make them different).",
    setup: abusiveCallerMade,
    body: { uid, agentId, entries: everyFailure },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      created: [created(firstNewId, { ...FIXTURES.withheld, reason: "spam" })],
      failed: [
        failure(0, EntryFailureReason.alreadyExists),
        failure(1, EntryFailureReason.prefixTooBroad),
        failure(2, EntryFailureReason.invalidPrefix),
        failure(3, EntryFailureReason.invalidNumber),
        failure(4, EntryFailureReason.invalidEntry),
        failure(5, EntryFailureReason.invalidExpiry),
        failure(7, EntryFailureReason.duplicateInRequest),
      ],
    },
  },
  organizationsList: {
    summary: "An entry of the organization's list",
    description: "Every agent of the organization obeys it from the moment it is answered.",
    body: {
      uid,
      orgId,
      entries: [{ match: "prefix", value: "+44 70", reason: "fraud", note: "Personal numbering scams" }],
    },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      created: [
        created(firstNewId, {
          ...orgList,
          match: "prefix",
          value: "+4470",
          action: "block",
          direction: "inbound",
          reason: "fraud",
          note: "Personal numbering scams",
        }),
      ],
      failed: [],
    },
  },
  noList: {
    summary: "Neither agentId nor orgId",
    body: { uid, entries: [{ match: "withheld" }] },
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "", message: "give exactly one of agentId and orgId" }],
    } satisfies ErrorResponse,
  },
  entryNotAnObject: {
    summary: "An entry that is not an object",
    description: "The whole request is refused; nothing is created.",
    body: { uid, agentId, entries: [{ match: "withheld" }, "+14155552671"] },
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "entries.1", message: "each entry must be an object" }],
    } satisfies ErrorResponse,
  },
  readOnlyKey: {
    summary: "A read-only key",
    setup: { apiKey: "read-only" },
    body: { uid, orgId, entries: [{ match: "withheld" }] },
    status: 401,
    response: insufficientPermissions,
  },
  otherCustomersOrganization: {
    summary: "Another customer's organization",
    description: "An organization that does not exist answers exactly the same.",
    body: { uid, orgId: EXAMPLE_TENANT.otherCustomersOrgId, entries: [{ match: "withheld" }] },
    status: 401,
    response: insufficientPermissions,
  },
};

// --- PATCH /api/block-list-entries ------------------------------------------------------------------------

const premiumPrefixMade = madeBefore(FIXTURES.premiumPrefix);

export const updateEntryExamples: Record<string, ApiExample> = {
  changed: {
    summary: "A new reason, a note and an expiry",
    description: "`expiresIn` counts from now; `expiresAt` would give the instant itself.",
    setup: abusiveCallerMade,
    body: {
      uid,
      id: FIXTURES.abusiveCaller.id,
      reason: "fraud",
      note: "Asked for card numbers",
      expiresIn: "7d",
    },
    status: 200,
    response: madeIn(abusiveCallerMade, FIXTURES.abusiveCaller, {
      reason: "fraud",
      note: "Asked for card numbers",
      expiresAt: instants.inSevenDays,
    }),
  },
  cleared: {
    summary: "A note cleared, on the organization's list",
    description: "`null` clears a field; the fields left out stay as they were.",
    setup: premiumPrefixMade,
    body: { uid, id: FIXTURES.premiumPrefix.id, note: null },
    status: 200,
    response: madeIn(premiumPrefixMade, FIXTURES.premiumPrefix, { note: null }),
  },
  unknownReason: {
    summary: "An unknown reason",
    setup: abusiveCallerMade,
    body: { uid, id: FIXTURES.abusiveCaller.id, reason: "scam" },
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "reason", message: "reason must be one of spam, abuse, fraud, do_not_call, other" }],
    } satisfies ErrorResponse,
  },
  bothExpiries: {
    summary: "Both expiresAt and expiresIn",
    setup: abusiveCallerMade,
    body: { uid, id: FIXTURES.abusiveCaller.id, expiresAt: "2027-01-01T00:00:00Z", expiresIn: "7d" },
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "expiresIn", message: "give at most one of expiresAt and expiresIn" }],
    } satisfies ErrorResponse,
  },
  invalidExpiry: {
    summary: "An expiry out of range",
    description: "Durations run from 1 minute to 10 years, and count years as 365 days: `10y` is not one.",
    setup: abusiveCallerMade,
    body: { uid, id: FIXTURES.abusiveCaller.id, expiresIn: "10y" },
    status: 400,
    response: { error: ErrorMessage.invalidBody, issues: [INVALID_EXPIRES_IN_ISSUE] } satisfies ErrorResponse,
  },
  readOnlyKey: {
    summary: "A read-only key",
    setup: { ...abusiveCallerMade, apiKey: "read-only" },
    body: { uid, id: FIXTURES.abusiveCaller.id, note: "Asked for card numbers" },
    status: 401,
    response: insufficientPermissions,
  },
  notFound: {
    summary: "An entry that is not there",
    description:
      "Another customer's entry, a removed one and an expired one answer exactly the same: only active " +
      "entries of the user's organizations can change.",
    body: { uid, id: MISSING_ENTRY_ID, note: "Asked for card numbers" },
    status: 404,
    response: { error: EntryRemovalFailureReason.notFound } satisfies ErrorResponse,
  },
};

// --- DELETE /api/block-list-entries -----------------------------------------------------------------------

const twoOwnEntries = madeBefore(FIXTURES.withheld, FIXTURES.abusiveCaller);

export const removeEntriesExamples: Record<string, ApiExample> = {
  partialFailure: {
    summary: "Removed, not found and repeated",
    description: "Each id is answered once; another customer's entry is not found, like a missing one.",
    setup: twoOwnEntries,
    body: { uid, ids: [FIXTURES.abusiveCaller.id, MISSING_ENTRY_ID, FIXTURES.abusiveCaller.id] },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      removed: [FIXTURES.abusiveCaller.id],
      failed: [
        { id: MISSING_ENTRY_ID, reason: EntryRemovalFailureReason.notFound },
        { id: FIXTURES.abusiveCaller.id, reason: EntryRemovalFailureReason.duplicateInRequest },
      ],
    },
  },
  noIds: {
    summary: "No ids",
    body: { uid, ids: [] },
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "ids", message: "ids must contain at least 1 entry" }],
    } satisfies ErrorResponse,
  },
  readOnlyKey: {
    summary: "A read-only key",
    setup: { ...twoOwnEntries, apiKey: "read-only" },
    body: { uid, ids: [FIXTURES.withheld.id] },
    status: 401,
    response: insufficientPermissions,
  },
};

// --- GET /api/block-list-check ----------------------------------------------------------------------------

const prefixAndPartner = madeBefore(FIXTURES.premiumPrefix, FIXTURES.partner);

export const checkCallerExamples: Record<string, ApiExample> = {
  blockedByOrganization: {
    summary: "Blocked by the organization's prefix",
    setup: prefixAndPartner,
    query: { uid, agentId, number: "+1 900 555 0100" },
    status: 200,
    response: { blocked: true, e164: "+19005550100", entry: FIXTURES.premiumPrefix } satisfies Decision,
  },
  allowedByAgent: {
    summary: "Let through by the agent's allow",
    description: "A number is more specific than a prefix, whichever list holds them.",
    setup: prefixAndPartner,
    query: { uid, agentId, number: "+19002345678" },
    status: 200,
    response: { blocked: false, e164: "+19002345678", entry: FIXTURES.partner } satisfies Decision,
  },
  withheldCaller: {
    summary: "A caller without a number",
    description: "No `number`, an empty one, `anonymous` and the like are a withheld caller.",
    setup: madeBefore(FIXTURES.withheld),
    query: { uid, agentId },
    status: 200,
    response: { blocked: true, e164: null, entry: FIXTURES.withheld } satisfies Decision,
  },
  noEntry: {
    summary: "No entry matches",
    setup: prefixAndPartner,
    query: { uid, agentId, number: "+44 20 7946 0958" },
    status: 200,
    response: { blocked: false, e164: "+442079460958", entry: null } satisfies Decision,
  },
  outbound: {
    summary: "May the agent call this number?",
    setup: madeBefore(FIXTURES.doNotCall),
    query: { uid, agentId, number: "+1 202 555 0173", direction: "outbound" },
    status: 200,
    response: { blocked: true, e164: "+12025550173", entry: FIXTURES.doNotCall } satisfies Decision,
  },
  unknownDirection: {
    summary: "An unknown direction",
    query: { uid, agentId, number: "+14155552671", direction: "both" },
    status: 400,
    response: {
      error: ErrorMessage.invalidQuery,
      issues: [{ path: "direction", message: "direction must be one of inbound, outbound" }],
    } satisfies ErrorResponse,
  },
  missingAgentId: {
    summary: "No agentId",
    query: { uid, number: "+14155552671" },
    status: 400,
    response: {
      error: ErrorMessage.invalidQuery,
      issues: [{ path: "agentId", message: "agentId is required" }],
    } satisfies ErrorResponse,
  },
  otherCustomersAgent: {
    summary: "Another customer's agent",
    description: "An agent that does not exist answers exactly the same.",
    query: { uid, agentId: EXAMPLE_TENANT.otherCustomersAgentId, number: "+14155552671" },
    status: 401,
    response: insufficientPermissions,
  },
};

// --- The published route, on entries ----------------------------------------------------------------------

const viewOfEntries = madeBefore(FIXTURES.partner, FIXTURES.abusiveCaller, FIXTURES.doNotCall);

/** GET /api/agent-block-list: the agent's own inbound number blocks. */
export const blockListViewExamples: Record<string, ApiExample> = {
  onlyInboundNumberBlocks: {
    summary: "What the list shows of an agent's entries",
    description:
      "Only the agent's own blocks of single numbers, inbound or both ways: not allows, outbound blocks, " +
      "prefixes, withheld callers, or the organization's list (see /api/block-list-entries).",
    setup: viewOfEntries,
    query: { uid, agentId },
    status: 200,
    response: { blockList: [FIXTURES.abusiveCaller.value], count: 1 } satisfies BlockListResponse,
  },
};

/** POST /api/agent-block-list with a reason, a note and an expiry. */
export const additionExtrasExamples: Record<string, ApiExample> = {
  withReasonNoteAndExpiry: {
    summary: "With a reason, a note and an expiry",
    description: "They apply to every number added; the answer is the same as without them.",
    body: {
      uid,
      agentId,
      numbers: ["+1 415 555 2671", "+44 20 7946 0958"],
      reason: "spam",
      note: "Robocalls",
      expiresIn: "7d",
    },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      added: ["+14155552671", "+442079460958"],
      failed: [],
    } satisfies AddResponse,
  },
  alreadyAnInboundBlock: {
    summary: "A number the agent blocks already",
    description: "Whatever its reason, note or expiry: an active inbound block of the number exists.",
    setup: madeBefore(FIXTURES.abusiveCaller),
    body: { uid, agentId, numbers: ["+14155552671"], reason: "spam" },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      added: [],
      failed: [{ number: "+14155552671", reason: FailureReason.alreadyBlocked }],
    } satisfies AddResponse,
  },
  invalidExpiry: {
    summary: "An expiry that is not a duration",
    body: { uid, agentId, numbers: ["+14155552671"], expiresIn: "forever" },
    status: 400,
    response: { error: ErrorMessage.invalidBody, issues: [INVALID_EXPIRES_IN_ISSUE] } satisfies ErrorResponse,
  },
};
