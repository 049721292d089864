import { z } from "zod";
import {
  blockListAdditionSchema,
  decisionSchema,
  EntryRemovalFailureReason,
  entriesCreateBodySchema,
  entriesCreateResponseSchema,
  entriesPageSchema,
  entriesRemoveBodySchema,
  entriesRemoveResponseSchema,
  entriesUpdateBodySchema,
  entryAuthorSchema,
  entryEventSchema,
  entryInputSchema,
  entrySchema,
  historyPageSchema,
} from "../entries";
import { ErrorMessage } from "../messages";
import {
  addResponseSchema,
  blockListMutationSchema,
  blockListResponseSchema,
  errorResponseSchema,
  organizationsResponseSchema,
  removeResponseSchema,
} from "../schemas";
import type { JsonSchema } from "./types";

const COMPONENTS = "#/components/schemas/";

/**
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, the dialect zod 4 writes. A request is described by what it
 * may be (`input`), an answer by what the server sends (`output`).
 */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { target: "draft-2020-12", io });
  return jsonSchema;
}

/** An error answer whose `error` is one of these texts, with or without `issues`. */
function errorSchema(messages: readonly string[], { issues }: { issues: boolean }): z.ZodType {
  const error = z.enum([...new Set(messages)] as [string, ...string[]]);
  return issues
    ? errorResponseSchema.extend({ error })
    : errorResponseSchema.omit({ issues: true }).extend({ error });
}

interface Component {
  schema: z.ZodType;
  description?: string;
}

// What may be sent: bodies. (Queries are parameters, one per field of their schema: see document.ts.)
const REQUEST_COMPONENTS = {
  BlockListChange: {
    schema: blockListMutationSchema,
    description: "The agent and the numbers to remove. Unknown fields are ignored.",
  },
  BlockListAddition: {
    schema: blockListAdditionSchema,
    description:
      "The agent and the numbers to add; `reason`, `note` and an expiry (`expiresAt` or `expiresIn`), each " +
      "optional, apply to every number added. A client that sends none of them sees no change. Unknown fields " +
      "are ignored.",
  },
  EntryInput: {
    schema: entryInputSchema,
    description:
      "One entry to create. An entry that breaks these rules fails alone, in `failed`, not the whole request.",
  },
  EntriesCreate: {
    schema: entriesCreateBodySchema,
    description: "The list (exactly one of `agentId` and `orgId`) and the entries to create in it.",
  },
  EntriesUpdate: {
    schema: entriesUpdateBodySchema,
    description:
      "The entry and what changes: a field left out stays, `null` clears it. `match`, `value`, `action` and " +
      "`direction` cannot change (remove the entry and create another).",
  },
  EntriesRemove: { schema: entriesRemoveBodySchema, description: "The entries to remove, by id." },
} satisfies Record<string, Component>;

// What is answered.
const ANSWER_COMPONENTS = {
  BlockList: { schema: blockListResponseSchema, description: "An agent's block list, or one page of it." },
  NumbersAdded: {
    schema: addResponseSchema,
    description: "Every entry of the request appears once: in `added` (E.164) or in `failed` (as sent).",
  },
  NumbersRemoved: {
    schema: removeResponseSchema,
    description: "Every entry of the request appears once: in `removed` (E.164) or in `failed` (as sent).",
  },
  Organizations: {
    schema: organizationsResponseSchema,
    description:
      "The organizations the key's user belongs to, oldest first, each with its agents, oldest first.",
  },
  Entry: {
    schema: entrySchema,
    description:
      "One entry of a list: an agent's own (`agentId` set) or its organization's (`agentId` null, obeyed by " +
      "every agent of the organization).",
  },
  EntryAuthor: { schema: entryAuthorSchema, description: "Who made an entry, and through which interface." },
  EntriesPage: {
    schema: entriesPageSchema,
    description: "A list's entries matching the filters, or one page of them.",
  },
  EntriesCreated: {
    schema: entriesCreateResponseSchema,
    description: "Every entry of the request appears once: in `created` (in request order) or in `failed`.",
  },
  EntriesRemoved: {
    schema: entriesRemoveResponseSchema,
    description: "Every id of the request appears once: in `removed` or in `failed`.",
  },
  EntryEvent: {
    schema: entryEventSchema,
    description: "One change of an entry: what happened, when, to which entry, and who did it.",
  },
  HistoryPage: {
    schema: historyPageSchema,
    description: "A list's history, newest first, or one page of it.",
  },
  Decision: {
    schema: decisionSchema,
    description: "Whether the agent refuses this caller, and the entry that decided it.",
  },
  InvalidQueryError: { schema: errorSchema([ErrorMessage.invalidQuery], { issues: true }) },
  InvalidBodyError: {
    schema: errorSchema([ErrorMessage.invalidBody, ErrorMessage.invalidJson, ErrorMessage.invalidCsv], {
      issues: true,
    }),
    description:
      "`issues` says what is wrong with a body that is JSON; a body that is not JSON has none. A CSV file that " +
      "cannot be read (`Invalid CSV file`) has one issue, whose `path` is the line (`line 3`).",
  },
  UnauthorizedError: {
    schema: errorSchema([ErrorMessage.invalidKey, ErrorMessage.insufficientPermissions], { issues: false }),
  },
  InvalidKeyError: { schema: errorSchema([ErrorMessage.invalidKey], { issues: false }) },
  EntryNotFoundError: { schema: errorSchema([EntryRemovalFailureReason.notFound], { issues: false }) },
  MethodNotAllowedError: { schema: errorSchema([ErrorMessage.methodNotAllowed], { issues: false }) },
  BodyTooLargeError: { schema: errorSchema([ErrorMessage.bodyTooLarge], { issues: false }) },
  UnsupportedMediaTypeError: {
    schema: errorSchema([ErrorMessage.unsupportedMediaType, ErrorMessage.unsupportedEntriesMediaType], {
      issues: false,
    }),
  },
  TooManyRequestsError: { schema: errorSchema([ErrorMessage.tooManyRequests], { issues: false }) },
  InternalServerError: { schema: errorSchema([ErrorMessage.internal], { issues: false }) },
  ServiceUnavailableError: { schema: errorSchema([ErrorMessage.serviceUnavailable], { issues: false }) },
} satisfies Record<string, Component>;

export type RequestSchemaName = keyof typeof REQUEST_COMPONENTS;
export type SchemaName = RequestSchemaName | keyof typeof ANSWER_COMPONENTS;

/** The component that documents a request body's schema: an operation names the schema it parses with. */
export function requestComponentOf(schema: z.ZodType): RequestSchemaName {
  const found = Object.entries(REQUEST_COMPONENTS).find(([, component]) => component.schema === schema);
  if (!found) throw new Error("A request body schema without a component in REQUEST_COMPONENTS");
  return found[0] as RequestSchemaName;
}

// A create's entries are parsed one by one (a bad one fails alone), so its body schema takes any objects; the
// document shows what a good entry is.
const createdEntryItem = entriesCreateBodySchema.shape.entries.element;

/**
 * One registry per direction, converted at once: a component used inside another (an Entry in a page) is a
 * `$ref` to it rather than a copy.
 */
function convert(components: Record<string, Component>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, { schema }] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io,
    uri: (id) => `${COMPONENTS}${id}`,
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema !== createdEntryItem) return;
      for (const keyword of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[keyword];
      Object.assign(jsonSchema, { $ref: `${COMPONENTS}EntryInput` });
    },
  });
  return Object.fromEntries(
    Object.entries(components).map(([id, { description }]) => {
      const { $schema: _dialect, $id: _id, ...jsonSchema } = schemas[id] as JsonSchema;
      return [id, description === undefined ? jsonSchema : { description, ...jsonSchema }];
    }),
  );
}

/** The named schemas of the document (`#/components/schemas/…`). */
export function componentSchemas(): Record<SchemaName, JsonSchema> {
  return {
    ...convert(REQUEST_COMPONENTS, "input"),
    ...convert(ANSWER_COMPONENTS, "output"),
  } as Record<SchemaName, JsonSchema>;
}
