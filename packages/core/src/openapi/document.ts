import type { z } from "zod";
import { NUMBERS_PER_UNIT, requestUnits } from "../cost";
import {
  blockListAdditionSchema,
  blockListCheckQuerySchema,
  DEFAULT_ENTRIES_PAGE_LIMIT,
  entriesCreateBodySchema,
  entriesQuerySchema,
  entriesRemoveBodySchema,
  entriesUpdateBodySchema,
  historyQuerySchema,
  MAX_ENTRIES_PAGE_LIMIT,
  MAX_NOTE_LENGTH,
} from "../entries";
import { ErrorMessage } from "../messages";
import {
  blockListMutationSchema,
  blockListQuerySchema,
  MAX_BODY_BYTES,
  MAX_NUMBERS_PER_REQUEST,
  MAX_PAGE_LIMIT,
} from "../schemas";
import { withCsvExport, withCsvImport } from "./csv";
import {
  additionExtrasExamples,
  blockListViewExamples,
  checkCallerExamples,
  createEntriesExamples,
  historyExamples,
  listEntriesExamples,
  removeEntriesExamples,
  updateEntryExamples,
} from "./entryExamples";
import {
  type ApiExample,
  addBlockedNumbersExamples,
  listBlockedNumbersExamples,
  listOrganizationsExamples,
  methodNotAllowedExamples,
  removeBlockedNumbersExamples,
} from "./examples";
import { componentSchemas, requestComponentOf, type SchemaName, toJsonSchema } from "./jsonSchema";
import type {
  ExampleObject,
  HeaderObject,
  HttpMethod,
  JsonSchema,
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  PathItemObject,
  RequestBodyObject,
  ResponseObject,
} from "./types";

export const BLOCK_LIST_PATH = "/api/agent-block-list";
export const ENTRIES_PATH = "/api/block-list-entries";
export const HISTORY_PATH = "/api/block-list-entries/history";
export const CHECK_PATH = "/api/block-list-check";
export const ORGANIZATIONS_PATH = "/api/organizations";
export const API_KEY_HEADER = "X-Authorization";
const API_KEY_SCHEME = "ApiKey";

const BLOCK_LIST_TAG = "Block list";
const ENTRIES_TAG = "Entries";
const CHECK_TAG = "Check";
const ORGANIZATIONS_TAG = "Organizations";

const schemaRef = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

interface ResponseSpec {
  description: string;
  schema: SchemaName;
  headers?: ResponseObject["headers"];
}

interface OperationSpec {
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  /** Answered before the key is checked: no key needed. */
  public?: boolean;
  /** The schema the route parses its query with: one parameter per field. */
  query?: z.ZodType;
  /** The schema the route parses its JSON body with, documented by its component (jsonSchema.ts). */
  body?: z.ZodType;
  responses: Partial<Record<ApiExample["status"], ResponseSpec>>;
  /** Any request can meet a server fault. */
  internalError?: boolean;
  examples: Record<string, ApiExample>;
}

function requestExample(example: ApiExample, value: unknown): ExampleObject {
  return {
    summary: example.summary,
    ...(example.description === undefined ? {} : { description: example.description }),
    value,
  };
}

// The query schema's fields, one parameter each; an example's query values go to the parameters they name.
function queryParameters(schema: z.ZodType, examples: Record<string, ApiExample>): ParameterObject[] {
  const query = toJsonSchema(schema, "input") as {
    properties: Record<string, JsonSchema>;
    required: string[];
  };
  const parameters = Object.entries(query.properties).map(([name, { description, ...schema }]) => ({
    name,
    in: "query" as const,
    required: query.required.includes(name),
    ...(typeof description === "string" ? { description } : {}),
    schema,
    examples: {} as Record<string, ExampleObject>,
  }));
  for (const [exampleName, example] of Object.entries(examples)) {
    for (const [name, value] of Object.entries(example.query ?? {})) {
      const parameter = parameters.find((candidate) => candidate.name === name);
      if (!parameter) throw new Error(`Example ${exampleName} sets an undocumented parameter ${name}`);
      parameter.examples[exampleName] = { summary: example.summary, value };
    }
  }
  return parameters;
}

function requestBody(schema: z.ZodType, examples: Record<string, ApiExample>): RequestBodyObject {
  const bodyExamples: Record<string, ExampleObject> = {};
  for (const [name, example] of Object.entries(examples)) {
    if (example.rawBody !== undefined) {
      bodyExamples[name] = { ...requestExample(example, example.rawBody), "x-raw-body": true };
    } else if (example.body !== undefined) {
      bodyExamples[name] = requestExample(example, example.body);
    }
  }
  return {
    required: true,
    content: {
      "application/json": { schema: schemaRef(requestComponentOf(schema)), examples: bodyExamples },
    },
  };
}

const digits = { type: "string", pattern: "^[0-9]+$" };

/** What a request of many numbers or entries costs against the key's budget. */
const costOf = (items: string) =>
  `It costs 1 + ceil(${items} / ${NUMBERS_PER_UNIT}) units of the key's budget ` +
  `(${requestUnits(MAX_NUMBERS_PER_REQUEST)} for ${MAX_NUMBERS_PER_REQUEST.toLocaleString("en-US")} ${items}).`;

/** What every answer to a key with a budget says about it (draft-ietf-httpapi-ratelimit-headers). */
const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  "RateLimit-Limit": {
    description:
      "Cost units the key may spend per window: its own budget, or `RATE_LIMIT_REQUESTS`. Absent for a key " +
      "without a limit.",
    schema: digits,
  },
  "RateLimit-Remaining": {
    description: "Units left to the key in the current window, after this request's cost.",
    schema: digits,
  },
  "RateLimit-Reset": { description: "Seconds until the current window ends.", schema: digits },
  "RateLimit-Policy": {
    description: "The budget as `units;w=window seconds`, e.g. `6000;w=60`.",
    schema: { type: "string", pattern: "^[0-9]+;w=[0-9]+$" },
  },
};

function response(spec: ResponseSpec, status: number, examples: Record<string, ApiExample>): ResponseObject {
  const responseExamples: Record<string, ExampleObject> = {};
  for (const [name, example] of Object.entries(examples)) {
    if (example.status !== status) continue;
    responseExamples[name] = {
      ...requestExample(example, example.response),
      ...(example.setup === undefined ? {} : { "x-setup": example.setup }),
    };
  }
  return {
    description: spec.description,
    ...(spec.headers === undefined ? {} : { headers: spec.headers }),
    content: { "application/json": { schema: schemaRef(spec.schema), examples: responseExamples } },
  };
}

function operation(spec: OperationSpec): OperationObject {
  const responses: OperationObject["responses"] = {};
  for (const [status, responseSpec] of Object.entries(spec.responses)) {
    const keyed = !spec.public && status === "200";
    const withLimit = keyed
      ? { ...responseSpec, headers: { ...responseSpec.headers, ...RATE_LIMIT_HEADERS } }
      : responseSpec;
    responses[status] = response(withLimit, Number(status), spec.examples);
  }
  if (spec.body) {
    // Schema only, like 500: a 2 MiB body or a wrong Content-Type makes no useful example to send (the web
    // app's openapi.test.ts still provokes each schema-only status but 500 on a real server).
    responses["413"] = { $ref: "#/components/responses/BodyTooLarge" };
    responses["415"] = { $ref: "#/components/responses/UnsupportedMediaType" };
  }
  // Schema only too: an example would have to spend a key's whole budget first.
  if (!spec.public) responses["429"] = { $ref: "#/components/responses/TooManyRequests" };
  if (spec.internalError) {
    responses["500"] = { $ref: "#/components/responses/InternalServerError" };
    responses["503"] = { $ref: "#/components/responses/ServiceUnavailable" };
  }
  for (const [name, example] of Object.entries(spec.examples)) {
    if (!spec.responses[example.status]) {
      throw new Error(`Example ${name} of ${spec.operationId} answers an undocumented ${example.status}`);
    }
  }
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: [spec.tag],
    ...(spec.public ? { security: [] } : {}),
    ...(spec.query ? { parameters: queryParameters(spec.query, spec.examples) } : {}),
    ...(spec.body ? { requestBody: requestBody(spec.body, spec.examples) } : {}),
    responses,
  };
}

const unauthorized: ResponseSpec = {
  description:
    "The key is missing, unknown or revoked (`Invalid or missing API key`); or `uid` is not the key's user, " +
    "the agent does not exist or is not in one of the user's organizations, or a read-only key asks for a " +
    "change (`Insufficient permissions`). A missing agent and another customer's agent answer alike.",
  schema: "UnauthorizedError",
};

const unauthorizedList: ResponseSpec = {
  description:
    "The key is missing, unknown or revoked (`Invalid or missing API key`); or `uid` is not the key's user, " +
    "the agent or organization does not exist or is not one of the user's, or a read-only key asks for a " +
    "change (`Insufficient permissions`). A missing list and another customer's answer alike.",
  schema: "UnauthorizedError",
};

// A change by id names no list: the entry's organization decides, and an entry outside the user's is not found.
const unauthorizedById: ResponseSpec = {
  description:
    "The key is missing, unknown or revoked (`Invalid or missing API key`); or `uid` is not the key's user, " +
    "or the key is read-only (`Insufficient permissions`).",
  schema: "UnauthorizedError",
};

const INVALID_EXTRAS =
  `an unknown \`reason\`, a \`note\` over ${MAX_NOTE_LENGTH} characters, both \`expiresAt\` and \`expiresIn\`, or ` +
  "an expiry in the past, more than 10 years ahead or not a duration";

const invalidBody = (problems: string): ResponseSpec => ({
  description: `The body is not JSON, not an object, ${problems}.`,
  schema: "InvalidBodyError",
});

const invalidNumbersBody = invalidBody(
  `lacks \`uid\`, \`agentId\` or \`numbers\`, or \`numbers\` is not an array of 1 to ${MAX_NUMBERS_PER_REQUEST} strings`,
);

function methodNotAllowed(path: string, operationId: string, allowed: readonly HttpMethod[], tag: string) {
  const allow = allowed.map((method) => method.toUpperCase()).join(", ");
  return {
    operationId,
    summary: "Any other method: 405",
    description: `${path} answers only ${allow}. Every other method is answered 405 with \`Allow: ${allow}\`.`,
    tag,
    public: true,
    responses: {
      405: {
        description: "The method is not supported here.",
        schema: "MethodNotAllowedError",
        headers: {
          Allow: { description: "The methods this path answers.", schema: { type: "string", const: allow } },
        },
      },
    },
    examples: methodNotAllowedExamples,
  } satisfies OperationSpec;
}

/** The entries route's CSV export and import (csv.ts). */
function withCsv(paths: Record<string, PathItemObject>): Record<string, PathItemObject> {
  const entries = paths[ENTRIES_PATH];
  if (entries?.get === undefined || entries.post === undefined) throw new Error(`${ENTRIES_PATH} is missing`);
  withCsvExport(entries.get);
  withCsvImport(entries.post);
  return paths;
}

const DESCRIPTION = `Block lists of a voice-agent platform: which callers an agent refuses, and why.

Every list is a set of **entries**. An entry belongs to an organization, and either to one of its agents (the
agent's own list) or to no agent (the organization's list, obeyed by every agent of the organization). It
matches one \`number\`, a \`prefix\` (\`+1900\`: every number it begins), \`withheld\` callers (no usable number) or
\`any\` caller; it blocks or allows; it counts for inbound calls, outbound calls or both; it may carry a reason, a
note and an expiry, after which it no longer counts. \`GET ${CHECK_PATH}\` answers for one caller which entry of
the agent's own list and of its organization's decides, the first in this order:

1. the most specific match: a number, then a prefix (the longest first), then withheld, then any;
2. then the agent's own list before the organization's;
3. then an allow before a block.

\`${BLOCK_LIST_PATH}\` is the first, simpler view of the same data: an agent's own blocks of single numbers
(inbound or both ways), added and removed by number. \`${ENTRIES_PATH}\` reads and changes every kind of entry,
of an agent's list or of an organization's. \`${ORGANIZATIONS_PATH}\` says which organizations and agents the
key may act on.

Every request carries an API key in the \`${API_KEY_HEADER}\` header (the admin CLI makes keys), and every answer,
success or error, is JSON. Checks run in this order and the first that fails decides the answer:

1. the key is missing, empty, unknown or revoked: **401** \`${ErrorMessage.invalidKey}\`;
   the key has used up its budget for the current window: **429** \`${ErrorMessage.tooManyRequests}\`,
   with \`Retry-After\` (seconds). The budget is per key, over all instances of the service, and counts work in
   cost units: a request costs 1 + ceil(numbers or entries / ${NUMBERS_PER_UNIT}) units (a GET or a PATCH costs 1, a
   POST or DELETE of ${MAX_NUMBERS_PER_REQUEST.toLocaleString("en-US")} numbers ${requestUnits(MAX_NUMBERS_PER_REQUEST)}). One unit is
   counted here; the rest once the body is parsed (after the 415, 413 and 400 checks of step 2), and a request whose
   numbers do not fit in what is left is a **429** too, having changed nothing. Every answer to a key with a budget
   carries \`RateLimit-Limit\`, \`RateLimit-Remaining\`, \`RateLimit-Reset\` (seconds) and \`RateLimit-Policy\`
   (\`units;w=seconds\`); a key without a limit gets none of them;
2. a POST, PATCH or DELETE body without \`Content-Type: application/json\`: **415** \`${ErrorMessage.unsupportedMediaType}\`;
   one larger than ${MAX_BODY_BYTES} bytes (2 MiB): **413** \`${ErrorMessage.bodyTooLarge}\`, refused before it is read;
   the query (GET) or body (POST, PATCH, DELETE) is malformed: **400**, with \`issues\` naming each field;
3. \`uid\` is not the key's user, the agent or organization does not exist or is not one of the user's,
   or a read-only key asks for a change: **401** \`${ErrorMessage.insufficientPermissions}\`.

A server fault is a **500** \`${ErrorMessage.internal}\` that never carries internals. While the database is
unreachable the answer is a **503** \`${ErrorMessage.serviceUnavailable}\` with \`Retry-After: 1\`: retry it.

Phone numbers are accepted written internationally (leading \`+\`), formatted with spaces, dashes, dots,
brackets or \`/\`, when they are valid numbers without an extension; answers give them in E.164.

**Examples.** Every example here is sent to a running server by the test suite and must get exactly the
documented answer. The request of an example is the parameter or body example of the same name; its
response example says in \`x-setup\` which key it was sent with (a read-write key when not said), which
numbers the agent had blocked before and which entries existed before, each made by one request in turn (none
when not said). Ids (\`usr_…\`, \`org_…\`, \`agt_…\`, \`ent_…\`) and key prefixes stand for your own; a
\`nextCursor\`, the ids and \`createdAt\` of entries a request creates, the ids (\`evt_…\`) of history events, and
the \`expiresAt\` an \`expiresIn\` gives differ in every run.`;

const listPageSize = `${DEFAULT_ENTRIES_PAGE_LIMIT} a page unless \`limit\` (1 to ${MAX_ENTRIES_PAGE_LIMIT}) says otherwise`;

const PUBLISHED_ROUTE_VIEW =
  "The list is the agent's own active entries that block one number, inbound or both ways, each number once at " +
  "its oldest such entry.";

/** Every operation of the API, by path and method. */
function apiOperations(): Record<string, Partial<Record<HttpMethod, OperationSpec>>> {
  return {
    [BLOCK_LIST_PATH]: {
      get: {
        operationId: "listBlockedNumbers",
        summary: "List an agent's blocked numbers",
        description:
          `Every blocked number of the agent, oldest first, each once, in E.164. With \`limit\` (1 to ` +
          `${MAX_PAGE_LIMIT}) the answer is one page, and \`nextCursor\` is present while more numbers ` +
          "follow; send it back as `cursor`. `count` is always the size of the whole list. " +
          PUBLISHED_ROUTE_VIEW,
        tag: BLOCK_LIST_TAG,
        query: blockListQuerySchema,
        responses: {
          200: { description: "The list, or one page of it.", schema: "BlockList" },
          400: {
            description:
              "`uid` or `agentId` is missing or empty, `limit` is out of range, or `cursor` is not one the service " +
              "issued for this agent's list.",
            schema: "InvalidQueryError",
          },
          401: unauthorized,
        },
        internalError: true,
        examples: { ...listBlockedNumbersExamples, ...blockListViewExamples },
      },
      post: {
        operationId: "addBlockedNumbers",
        summary: "Block numbers",
        description:
          "Adds numbers to the agent's list (an inbound block entry each). Every entry is answered once: in " +
          "`added` (E.164) or in `failed` with its reason, exactly as it was sent. A request where every number " +
          "fails is still a 200. Concurrent requests never store a number twice. `reason`, `note` and " +
          "`expiresAt` or `expiresIn` are optional and apply to every number added; clients that send none of " +
          `them see no change. ${costOf("numbers")}`,
        tag: BLOCK_LIST_TAG,
        body: blockListAdditionSchema,
        responses: {
          200: { description: "What was added and what was not, and why.", schema: "NumbersAdded" },
          400: invalidBody(
            `lacks \`uid\`, \`agentId\` or \`numbers\`, \`numbers\` is not an array of 1 to ` +
              `${MAX_NUMBERS_PER_REQUEST} strings, or it has ${INVALID_EXTRAS}`,
          ),
          401: unauthorized,
        },
        internalError: true,
        examples: { ...addBlockedNumbersExamples, ...additionExtrasExamples },
      },
      delete: {
        operationId: "removeBlockedNumbers",
        summary: "Unblock numbers",
        description:
          "Removes numbers from the agent's list: every inbound or both-ways block entry of each number. " +
          "Every entry is answered once: in `removed` (E.164) or in `failed` with its reason; a number the agent " +
          `holds only as an outbound block or an allow is not found here. ${costOf("numbers")}`,
        tag: BLOCK_LIST_TAG,
        body: blockListMutationSchema,
        responses: {
          200: { description: "What was removed and what was not, and why.", schema: "NumbersRemoved" },
          400: invalidNumbersBody,
          401: unauthorized,
        },
        internalError: true,
        examples: removeBlockedNumbersExamples,
      },
      put: methodNotAllowed(
        BLOCK_LIST_PATH,
        "blockListMethodNotAllowed",
        ["get", "post", "delete"],
        BLOCK_LIST_TAG,
      ),
    },
    [ENTRIES_PATH]: {
      get: {
        operationId: "listEntries",
        summary: "List the entries of an agent's or an organization's list",
        description:
          "The list's active entries (with `include=expired`, also those whose expiry has passed), oldest " +
          `first, ${listPageSize}. Filters combine; \`count\` is the number of entries matching them, all pages ` +
          "together. While more entries follow, `nextCursor` is present: send it back as `cursor`, with the same " +
          "list and filters.",
        tag: ENTRIES_TAG,
        query: entriesQuerySchema,
        responses: {
          200: { description: "The entries, or one page of them.", schema: "EntriesPage" },
          400: {
            description:
              "`uid` is missing, not exactly one of `agentId` and `orgId` is given, `limit` is out of range, a " +
              "filter has an unknown value, or `cursor` is not one the service issued for this list and filters.",
            schema: "InvalidQueryError",
          },
          401: unauthorizedList,
        },
        internalError: true,
        examples: listEntriesExamples,
      },
      post: {
        operationId: "createEntries",
        summary: "Create entries",
        description:
          "Creates entries in one list. Every entry is answered once: in `created` (request order) or in " +
          "`failed` with its 0-based `index`, exactly as it was sent, and the reason. A request where every " +
          "entry fails is still a 200. Two active entries of one list with the same `match`, `value`, `action` " +
          "and `direction` never exist, even when requests race. " +
          costOf("entries"),
        tag: ENTRIES_TAG,
        body: entriesCreateBodySchema,
        responses: {
          200: { description: "What was created and what was not, and why.", schema: "EntriesCreated" },
          400: invalidBody(
            "lacks `uid` or `entries`, names not exactly one of `agentId` and `orgId`, or `entries` is not an " +
              `array of 1 to ${MAX_NUMBERS_PER_REQUEST} objects. A bad entry is no 400: it fails alone, in \`failed\``,
          ),
          401: unauthorizedList,
        },
        internalError: true,
        examples: createEntriesExamples,
      },
      patch: {
        operationId: "updateEntry",
        summary: "Change an entry's reason, note or expiry",
        description:
          "Changes one active entry of one of the user's organizations, whichever list holds it. A field left " +
          "out stays, `null` clears it. To change what an entry matches, blocks or allows, or its direction, " +
          "remove it and create another.",
        tag: ENTRIES_TAG,
        body: entriesUpdateBodySchema,
        responses: {
          200: { description: "The entry as it is now.", schema: "Entry" },
          400: invalidBody(`lacks \`uid\` or \`id\`, or has ${INVALID_EXTRAS}`),
          401: unauthorizedById,
          404: {
            description:
              "No active entry of the user's organizations has this `id`: a missing, removed or expired entry " +
              "and another customer's answer alike.",
            schema: "EntryNotFoundError",
          },
        },
        internalError: true,
        examples: updateEntryExamples,
      },
      delete: {
        operationId: "removeEntries",
        summary: "Remove entries",
        description:
          "Removes active entries of the user's organizations by id, from whichever list holds them. Every id is " +
          `answered once, in \`removed\` or in \`failed\`. ${costOf("ids")}`,
        tag: ENTRIES_TAG,
        body: entriesRemoveBodySchema,
        responses: {
          200: { description: "What was removed and what was not, and why.", schema: "EntriesRemoved" },
          400: invalidBody(
            `lacks \`uid\` or \`ids\`, or \`ids\` is not an array of 1 to ${MAX_NUMBERS_PER_REQUEST} strings`,
          ),
          401: unauthorizedById,
        },
        internalError: true,
        examples: removeEntriesExamples,
      },
      put: methodNotAllowed(
        ENTRIES_PATH,
        "entriesMethodNotAllowed",
        ["get", "post", "patch", "delete"],
        ENTRIES_TAG,
      ),
    },
    [HISTORY_PATH]: {
      get: {
        operationId: "listHistory",
        summary: "The history of an agent's or an organization's list",
        description:
          "Every change to the list's entries, newest first, whatever interface made it (this API, tRPC, the " +
          "web UI), and each expiry that passed: `created`, `updated` (the entry after the change), " +
          "`removed` (the entry as it was) and `expired` (at the entry's `expiresAt`, `by` null). Each is recorded " +
          "in the same transaction as the change itself. " +
          `${listPageSize}; while older events follow, \`nextCursor\` is present: send it back as \`cursor\`. ` +
          "Events are kept for `HISTORY_RETENTION_DAYS` (400 days unless configured).",
        tag: ENTRIES_TAG,
        query: historyQuerySchema,
        responses: {
          200: { description: "The events, or one page of them.", schema: "HistoryPage" },
          400: {
            description:
              "`uid` is missing, not exactly one of `agentId` and `orgId` is given, `limit` is out of range, or " +
              "`cursor` is not one the service issued for this list's history.",
            schema: "InvalidQueryError",
          },
          401: unauthorizedList,
        },
        internalError: true,
        examples: historyExamples,
      },
      post: methodNotAllowed(HISTORY_PATH, "historyMethodNotAllowed", ["get"], ENTRIES_TAG),
    },
    [CHECK_PATH]: {
      get: {
        operationId: "checkCaller",
        summary: "Check a caller",
        description:
          "Whether the agent refuses this caller, in E.164, and the entry of the agent's own list or of its " +
          "organization's that decided it (null when none matches: then the caller is not blocked). The same " +
          "answer as tRPC `blockList.check`; an entry whose expiry has passed never decides.",
        tag: CHECK_TAG,
        query: blockListCheckQuerySchema,
        responses: {
          200: { description: "The decision.", schema: "Decision" },
          400: {
            description:
              "`uid` or `agentId` is missing or empty, or `direction` is neither `inbound` nor `outbound`. A " +
              "missing or empty `number` is no 400: it is a withheld caller.",
            schema: "InvalidQueryError",
          },
          401: unauthorized,
        },
        internalError: true,
        examples: checkCallerExamples,
      },
      post: methodNotAllowed(CHECK_PATH, "checkMethodNotAllowed", ["get"], CHECK_TAG),
    },
    [ORGANIZATIONS_PATH]: {
      get: {
        operationId: "listOrganizations",
        summary: "List the key's organizations and their agents",
        description: "The organizations the key's user belongs to, oldest first, each with its agents.",
        tag: ORGANIZATIONS_TAG,
        responses: {
          200: { description: "The user's organizations.", schema: "Organizations" },
          401: { description: "The key is missing, empty, unknown or revoked.", schema: "InvalidKeyError" },
        },
        internalError: true,
        examples: listOrganizationsExamples,
      },
      post: methodNotAllowed(ORGANIZATIONS_PATH, "organizationsMethodNotAllowed", ["get"], ORGANIZATIONS_TAG),
    },
  };
}

/** The schemas an operation parses its query and body with (for tests that judge its examples by them). */
export function requestSchemasOf(method: string, path: string): { query?: z.ZodType; body?: z.ZodType } {
  const spec = apiOperations()[path]?.[method.toLowerCase() as HttpMethod];
  if (!spec) throw new Error(`No operation ${method} ${path}`);
  return { ...(spec.query ? { query: spec.query } : {}), ...(spec.body ? { body: spec.body } : {}) };
}

/** The OpenAPI 3.1 document of the REST API, built from the schemas, messages and limits of core. */
export function buildOpenApiDocument(): OpenApiDocument {
  return {
    openapi: "3.1.1",
    info: { title: "Agent block list API", version: "1.1.0", description: DESCRIPTION },
    servers: [{ url: "/", description: "This server" }],
    tags: [
      { name: BLOCK_LIST_TAG, description: "The numbers an agent refuses calls from." },
      { name: ENTRIES_TAG, description: "Everything a list holds, of an agent or of an organization." },
      { name: CHECK_TAG, description: "Whether an agent refuses a caller, and which entry decided it." },
      { name: ORGANIZATIONS_TAG, description: "What a key may act on." },
    ],
    security: [{ [API_KEY_SCHEME]: [] }],
    paths: withCsv(
      Object.fromEntries(
        Object.entries(apiOperations()).map(([path, specs]): [string, PathItemObject] => [
          path,
          Object.fromEntries(Object.entries(specs).map(([method, spec]) => [method, operation(spec)])),
        ]),
      ),
    ),
    components: {
      securitySchemes: {
        [API_KEY_SCHEME]: {
          type: "apiKey",
          in: "header",
          name: API_KEY_HEADER,
          description:
            "An API key (`bl_` and 32 letters or digits) made with `pnpm cli key create` or `pnpm cli user " +
            "create`. Read-only keys may list; changes need a read-write key.",
        },
      },
      schemas: componentSchemas(),
      responses: {
        BodyTooLarge: {
          description: `The body is larger than ${MAX_BODY_BYTES} bytes (2 MiB); it is not read.`,
          content: { "application/json": { schema: schemaRef("BodyTooLargeError") } },
        },
        UnsupportedMediaType: {
          description:
            "The request has no `Content-Type` or one other than `application/json` (or, for a POST of entries, " +
            "`text/csv`).",
          content: { "application/json": { schema: schemaRef("UnsupportedMediaTypeError") } },
        },
        TooManyRequests: {
          description:
            "The key has used up its budget for the current window (the same budget for every route and for " +
            "the tRPC procedures), or the numbers of this request cost more units than are left; nothing was " +
            "changed. Other keys, of the same user too, are not affected.",
          headers: {
            "Retry-After": {
              description: "Seconds until the window ends and the key may send again.",
              schema: digits,
            },
            ...RATE_LIMIT_HEADERS,
          },
          content: { "application/json": { schema: schemaRef("TooManyRequestsError") } },
        },
        InternalServerError: {
          description: "A fault on the server. The answer never carries a stack trace or a database message.",
          content: { "application/json": { schema: schemaRef("InternalServerError") } },
        },
        ServiceUnavailable: {
          description:
            "The database is unreachable, timed out or cut the connection. Nothing of the request was stored; " +
            "it may be sent again.",
          headers: {
            "Retry-After": {
              description: "Seconds to wait before retrying.",
              schema: { type: "string", const: "1" },
            },
          },
          content: { "application/json": { schema: schemaRef("ServiceUnavailableError") } },
        },
      },
    },
  };
}
