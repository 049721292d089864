import { z } from "zod";
import { blockListPageInputSchema, checkDirectionField } from "../procedures";
import {
  blockListMutationSchema,
  blockListQuerySchema,
  pageLimitNumber,
  pageLimitText,
  requestList,
  requiredString,
} from "../schemas";
import { ENTRY_ACTIONS, ENTRY_DIRECTIONS, ENTRY_MATCHES, ENTRY_REASONS, MAX_NOTE_LENGTH } from "./fields";
import { isValidNote } from "./note";

// Requests of /api/block-list-entries, /api/block-list-check, the published POST's extras and the tRPC inputs
// (SPEC-ENTRIES). The tRPC inputs are the REST ones without `uid` (the caller is its own user).

export const MAX_ENTRIES_PAGE_LIMIT = 1_000;
export const DEFAULT_ENTRIES_PAGE_LIMIT = 100;

const oneOf = (field: string, values: readonly string[]) => `${field} must be one of ${values.join(", ")}`;

const { uid: uidField, agentId: agentIdField, cursor: cursorField } = blockListQuerySchema.shape;
const orgIdField = requiredString("orgId").meta({
  description: "An organization (`org_…`) the user is a member of: its own list, obeyed by all its agents.",
});

const matchField = z.enum(ENTRY_MATCHES, { error: oneOf("match", ENTRY_MATCHES) }).meta({
  description: "`number` (one E.164 number), `prefix` (every number it begins), `withheld` or `any` caller.",
});
const actionField = z.enum(ENTRY_ACTIONS, { error: oneOf("action", ENTRY_ACTIONS) });
const directionField = z.enum(ENTRY_DIRECTIONS, { error: oneOf("direction", ENTRY_DIRECTIONS) });
const reasonField = z.enum(ENTRY_REASONS, { error: oneOf("reason", ENTRY_REASONS) });
const noteField = z
  .string({ error: "note must be a string" })
  .refine(isValidNote, {
    error: `note must be at most ${MAX_NOTE_LENGTH} characters, without NUL or unpaired surrogates`,
  })
  .meta({ description: `Free text, at most ${MAX_NOTE_LENGTH} characters; "" or null for none.` })
  .transform((note) => (note === "" ? null : note));
// Only their type is judged here: whether an expiry is valid depends on the clock (see resolveExpiry).
const EXPIRES_AT = {
  description: "An ISO 8601 instant with a time zone, in the future, at most 10 years ahead.",
  example: "2027-01-01T00:00:00Z",
};
const EXPIRES_IN = {
  description:
    "A duration from now, 1 minute to 10 years: `30m`, `12h`, `7d`, `4w`, or ISO 8601 of weeks, days, hours " +
    "and minutes (`PT12H`, `P1DT12H`, `P2W`).",
  example: "7d",
};
const expiresAtField = z.string({ error: "expiresAt must be a string" }).meta(EXPIRES_AT);
const expiresInField = z.string({ error: "expiresIn must be a string" }).meta(EXPIRES_IN);

/** `reason`, `note` and an expiry, as a create, a change and the published POST take them; null: none. */
export const entryExtrasFields = {
  reason: reasonField.nullable().optional(),
  note: noteField.nullable().optional(),
  expiresAt: expiresAtField.nullable().optional(),
  expiresIn: expiresInField.nullable().optional(),
};

/** One entry of a create, for the documentation and for planEntry's judgement of its shape. */
export const entryInputSchema = z.object({
  match: matchField,
  value: z.string({ error: "value must be a string" }).nullable().optional().meta({
    description:
      "The number (`number`) or the prefix (`prefix`, `+` and digits); none for `withheld` and `any`.",
  }),
  action: actionField.nullable().optional().meta({ description: "`block` (the default) or `allow`." }),
  direction: directionField.nullable().optional().meta({
    description: "`inbound` (the default), `outbound` (the default for `do_not_call`) or `both`.",
  }),
  reason: entryExtrasFields.reason,
  note: entryExtrasFields.note,
  // Judged by resolveExpiry, so that a mistyped expiry fails as "Invalid expiry", not "Invalid entry".
  expiresAt: z.unknown().optional().meta(EXPIRES_AT),
  expiresIn: z.unknown().optional().meta(EXPIRES_IN),
});
export type EntryInput = z.output<typeof entryInputSchema>;

// --- Which list -------------------------------------------------------------------------------------------

const listFields = { agentId: agentIdField.optional(), orgId: orgIdField.optional() };

const ONE_LIST = { error: "give exactly one of agentId and orgId" } as const;
const namesOneList = (request: { agentId?: string; orgId?: string }) =>
  (request.agentId === undefined) !== (request.orgId === undefined);

const BOTH_EXPIRIES = { error: "give at most one of expiresAt and expiresIn", path: ["expiresIn"] };
const namesOneExpiry = (request: { expiresAt?: string | null; expiresIn?: string | null }) =>
  request.expiresAt == null || request.expiresIn == null;

// --- GET /api/block-list-entries, entries.list ------------------------------------------------------------

const entryFilterFields = {
  match: matchField.optional(),
  action: actionField.optional(),
  direction: directionField.optional(),
  reason: reasonField.optional(),
  search: blockListPageInputSchema.shape.search.meta({
    description: "Digits the value contains, anywhere (other characters are ignored).",
  }),
  include: z
    .literal("expired", { error: 'include must be "expired"' })
    .optional()
    .meta({ description: "`expired`: also entries whose expiry has passed." }),
};

const entriesQueryFields = z.object({
  uid: uidField,
  ...listFields,
  limit: pageLimitText(MAX_ENTRIES_PAGE_LIMIT)
    .meta({
      description: `Page size, a whole number from 1 to ${MAX_ENTRIES_PAGE_LIMIT} (default ${DEFAULT_ENTRIES_PAGE_LIMIT}).`,
      pattern: "^[0-9]+$",
    })
    .transform(Number)
    .default(DEFAULT_ENTRIES_PAGE_LIMIT),
  cursor: cursorField,
  ...entryFilterFields,
});

/** GET query text in, `limit` as a number out. Unknown parameters are ignored, unknown filter values are not. */
export const entriesQuerySchema = entriesQueryFields.refine(namesOneList, ONE_LIST);
export type EntriesQuery = z.output<typeof entriesQuerySchema>;

export const entriesListInputSchema = entriesQueryFields
  .omit({ uid: true })
  .extend({ limit: pageLimitNumber(MAX_ENTRIES_PAGE_LIMIT).default(DEFAULT_ENTRIES_PAGE_LIMIT) })
  .refine(namesOneList, ONE_LIST);
export type EntriesListInput = z.output<typeof entriesListInputSchema>;

// --- GET /api/block-list-entries/history, entries.history -------------------------------------------------

const historyQueryFields = entriesQueryFields.pick({
  uid: true,
  agentId: true,
  orgId: true,
  limit: true,
  cursor: true,
});

/** A list's history, newest first: the list, `limit` and `cursor` of the entries GET, no filters. */
export const historyQuerySchema = historyQueryFields.refine(namesOneList, ONE_LIST);
export type HistoryQuery = z.output<typeof historyQuerySchema>;

export const historyInputSchema = historyQueryFields
  .omit({ uid: true })
  .extend({ limit: entriesListInputSchema.shape.limit })
  .refine(namesOneList, ONE_LIST);
export type HistoryInput = z.output<typeof historyInputSchema>;

// --- POST /api/block-list-entries, entries.create ---------------------------------------------------------

const entriesCreateFields = z.object(
  {
    uid: uidField,
    ...listFields,
    // Each entry is judged on its own (planEntries): a bad one fails alone, in `failed`, not the whole body.
    entries: requestList(
      "entries",
      z.record(z.string(), z.unknown(), { error: "each entry must be an object" }),
      "objects",
    ).meta({
      description:
        "The entries to create, each `{ match, value?, action?, direction?, reason?, note?, expiresAt? | " +
        "expiresIn? }` (EntryInput). Each is answered once, in `created` or in `failed`.",
    }),
  },
  { error: "Body must be a JSON object" },
);

export const entriesCreateBodySchema = entriesCreateFields.refine(namesOneList, ONE_LIST);
export type EntriesCreateBody = z.output<typeof entriesCreateBodySchema>;

export const entriesCreateInputSchema = entriesCreateFields
  .omit({ uid: true })
  .refine(namesOneList, ONE_LIST);
export type EntriesCreateInput = z.output<typeof entriesCreateInputSchema>;

/** POST /api/block-list-entries with a CSV file: the list in the query (`uid`, and `agentId` or `orgId`). */
export const entriesImportQuerySchema = z
  .object({ uid: uidField, ...listFields })
  .refine(namesOneList, ONE_LIST);
export type EntriesImportQuery = z.output<typeof entriesImportQuerySchema>;

// --- PATCH /api/block-list-entries, entries.update --------------------------------------------------------

/** What makes an entry what it is: a change of one of them is a remove and a create, not an update. */
const FIXED_FIELDS = ["match", "value", "action", "direction"] as const;
const fixedFields = Object.fromEntries(
  FIXED_FIELDS.map((field) => [
    field,
    z.unknown().optional().meta({ description: "Cannot change: remove the entry and create another." }),
  ]),
) as Record<(typeof FIXED_FIELDS)[number], z.ZodOptional<z.ZodUnknown>>;

/** An issue at each fixed field the change names, rather than a 200 that silently ignores it. */
function refuseFixedFields(
  change: Partial<Record<(typeof FIXED_FIELDS)[number], unknown>>,
  context: z.RefinementCtx,
) {
  for (const field of FIXED_FIELDS) {
    if (change[field] === undefined) continue;
    context.addIssue({
      code: "custom",
      path: [field],
      message: `${field} cannot change: remove the entry and create another`,
    });
  }
}

const entriesUpdateFields = z.object(
  {
    uid: uidField,
    id: requiredString("id").meta({ description: "The entry to change (`ent_…`)." }),
    ...entryExtrasFields,
    ...fixedFields,
  },
  { error: "Body must be a JSON object" },
);

/** A change of an active entry's reason, note or expiry; a field left out stays, `null` clears it. */
export const entriesUpdateBodySchema = entriesUpdateFields
  .refine(namesOneExpiry, BOTH_EXPIRIES)
  .superRefine(refuseFixedFields);
export type EntriesUpdateBody = z.output<typeof entriesUpdateBodySchema>;

export const entriesUpdateInputSchema = entriesUpdateFields
  .omit({ uid: true })
  .refine(namesOneExpiry, BOTH_EXPIRIES)
  .superRefine(refuseFixedFields);
export type EntriesUpdateInput = z.output<typeof entriesUpdateInputSchema>;

// --- DELETE /api/block-list-entries, entries.remove -------------------------------------------------------

const entriesRemoveFields = z.object(
  {
    uid: uidField,
    ids: requestList("ids", z.string({ error: "each id must be a string" }), "strings").meta({
      description: "The entries to remove (`ent_…`). Each is answered once, in `removed` or `failed`.",
    }),
  },
  { error: "Body must be a JSON object" },
);

export const entriesRemoveBodySchema = entriesRemoveFields;
export type EntriesRemoveBody = z.output<typeof entriesRemoveBodySchema>;

export const entriesRemoveInputSchema = entriesRemoveFields.omit({ uid: true });
export type EntriesRemoveInput = z.output<typeof entriesRemoveInputSchema>;

// --- GET /api/block-list-check ----------------------------------------------------------------------------

/** The REST check: a `number` absent or empty is a withheld caller, not an error. */
export const blockListCheckQuerySchema = z.object({
  uid: uidField,
  agentId: agentIdField,
  number: z.string({ error: "number must be a string" }).optional().meta({
    description: "The caller, as the telephony system gives it; absent or empty: a withheld caller.",
  }),
  direction: checkDirectionField,
});
export type BlockListCheckQuery = z.output<typeof blockListCheckQuerySchema>;

// --- POST /api/agent-block-list ---------------------------------------------------------------------------

/**
 * The published POST's body: blockListMutationSchema plus, for every number it adds, an optional `reason`,
 * `note` and `expiresAt` or `expiresIn`. A client that sends none of them sees no change.
 */
export const blockListAdditionSchema = blockListMutationSchema
  .extend(entryExtrasFields)
  .refine(namesOneExpiry, BOTH_EXPIRIES);
export type BlockListAddition = z.output<typeof blockListAdditionSchema>;
