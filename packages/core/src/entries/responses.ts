import { z } from "zod";
import { SUCCESS_MESSAGE } from "../messages";
import {
  ENTRY_ACTIONS,
  ENTRY_DIRECTIONS,
  ENTRY_EVENT_TYPES,
  ENTRY_MATCHES,
  ENTRY_REASONS,
  ENTRY_VIAS,
  EntryFailureReason,
  EntryRemovalFailureReason,
} from "./fields";

// Answers of /api/block-list-entries and /api/block-list-check (SPEC-ENTRIES), for OpenAPI and the tests.

const instant = z.iso.datetime().meta({ description: "An ISO 8601 UTC instant." });

const decidingEntryShape = {
  id: z.string().meta({ description: "`ent_…`" }),
  orgId: z.string().meta({ description: "The organization that owns the entry (`org_…`)." }),
  agentId: z
    .string()
    .nullable()
    .meta({ description: "The agent whose own list holds it, or null for the organization's list." }),
  match: z.enum(ENTRY_MATCHES),
  value: z.string().nullable().meta({
    description: "The E.164 number (`number`), the prefix (`prefix`), or null (`withheld`, `any`).",
  }),
  action: z.enum(ENTRY_ACTIONS),
  direction: z.enum(ENTRY_DIRECTIONS),
  reason: z.enum(ENTRY_REASONS).nullable(),
  note: z.string().nullable(),
};

export const entryAuthorSchema = z.object({
  userId: z.string().meta({ description: "`usr_…`" }),
  keyPrefix: z.string().meta({ description: "The key's first characters, as `key list` shows them." }),
  via: z.enum(ENTRY_VIAS).nullable().meta({
    description: "The interface the change came through; null for entries made before entries existed.",
  }),
});

export const entrySchema = z.object({
  ...decidingEntryShape,
  expiresAt: instant.nullable().meta({ description: "When the entry stops counting, or null for never." }),
  createdAt: instant,
  createdBy: entryAuthorSchema.nullable().meta({ description: "Who created it; null once the key is gone." }),
  hits: z.number().int().min(0).meta({ description: "How many check answers this entry decided." }),
  lastHitAt: instant.nullable().meta({ description: "When it last decided one, or null." }),
});

export const entryEventSchema = z.object({
  id: z.string().meta({ description: "`evt_…`" }),
  at: instant.meta({ description: "When it happened; for `expired`, the entry's `expiresAt`." }),
  type: z.enum(ENTRY_EVENT_TYPES),
  entry: entrySchema.meta({
    description: "The entry after the change (for `removed`, as it was when removed).",
  }),
  by: z
    .object({ ...entryAuthorSchema.shape, via: z.enum(ENTRY_VIAS) })
    .nullable()
    .meta({ description: "Who made the change, through which interface; null for `expired`." }),
});

export const historyPageSchema = z.object({
  events: z.array(entryEventSchema).meta({ description: "The list's changes, newest first." }),
  nextCursor: z
    .string()
    .meta({ description: "Present when older events follow: send it as `cursor` for the next page." })
    .optional(),
});

export const decisionSchema = z.object({
  blocked: z.boolean().meta({ description: "Whether the deciding entry blocks; false when none matched." }),
  e164: z
    .string()
    .nullable()
    .meta({ description: "The caller in E.164, or null when it has no usable number (withheld)." }),
  entry: z
    .object(decidingEntryShape)
    .nullable()
    .meta({ description: "The entry that decided, or null when none matched." }),
});

export const entriesPageSchema = z.object({
  entries: z
    .array(entrySchema)
    .meta({ description: "The list's entries (or this page of them), oldest first." }),
  count: z.number().int().min(0).meta({ description: "How many entries match the filters." }),
  nextCursor: z
    .string()
    .meta({ description: "Present when more entries follow: send it as `cursor` for the next page." })
    .optional(),
});

export const entriesCreateResponseSchema = z.object({
  message: z.literal(SUCCESS_MESSAGE),
  created: z.array(entrySchema).meta({ description: "The entries this request created, in request order." }),
  failed: z.array(
    z.object({
      index: z.number().int().min(0).meta({ description: "The entry's 0-based position in `entries`." }),
      entry: z.unknown().meta({ description: "The entry exactly as it was sent." }),
      reason: z.enum(EntryFailureReason),
    }),
  ),
});

export const entriesRemoveResponseSchema = z.object({
  message: z.literal(SUCCESS_MESSAGE),
  removed: z.array(z.string()).meta({ description: "The ids this request removed, in request order." }),
  failed: z.array(
    z.object({
      id: z.string(),
      reason: z.enum(EntryRemovalFailureReason),
    }),
  ),
});
