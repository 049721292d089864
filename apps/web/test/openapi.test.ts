import {
  API_KEY_HEADER,
  addBlockedNumbers,
  authenticateApiKey,
  createAgent,
  createApiKey,
  createEntries,
  createUser,
  generateApiKey,
  listApiKeys,
  revokeApiKey,
} from "@blocklist/api";
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage, MAX_BODY_BYTES } from "@blocklist/core";
import {
  type ApiKeyKind,
  BLOCK_LIST_PATH,
  buildOpenApiDocument,
  CHECK_PATH,
  type DocumentedExample,
  ENTRIES_PATH,
  EXAMPLE_TENANT,
  HISTORY_PATH,
  HTTP_METHODS,
  type JsonSchema,
  listDocumentedExamples,
  type OpenApiDocument,
  ORGANIZATIONS_PATH,
  type ResponseObject,
  resolveRefs,
} from "@blocklist/core/openapi";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { type Answer, blockListPath, type CallOptions, call } from "./http";
import { serverForFile, serverOnOwnPostgresForFile } from "./server";
import { awayFromWindowEnd } from "./windows";

// The docs cannot drift from the code: the document is fetched from the running server, validated, and every
// example in it is sent to that server, against real data made for it, and must get exactly its answer.

const { db, server } = await serverForFile();
// For the statuses no example can show: a server on a PostgreSQL of its own, which the test stops (503), with a
// budget of a few requests a day per key (429).
const RATE_LIMIT = 4;
const RATE_LIMIT_WINDOW_SECONDS = 86_400;
await awayFromWindowEnd(RATE_LIMIT_WINDOW_SECONDS, 100);
const limited = await serverOnOwnPostgresForFile(1000, {
  RATE_LIMIT_REQUESTS: String(RATE_LIMIT),
  RATE_LIMIT_WINDOW_SECONDS: String(RATE_LIMIT_WINDOW_SECONDS),
});
let served: OpenApiDocument;

beforeAll(async () => {
  const answer = await call(server.url, "GET", "/api/openapi.json");
  expect(answer.status).toBe(200);
  served = answer.body as OpenApiDocument;
});

describe("GET /api/openapi.json", () => {
  it("answers the document core builds", () => {
    expect(served).toEqual(buildOpenApiDocument());
  });

  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(served) as unknown as Parameters<Validator["validate"]>[0],
    );
    expect(result.errors).toBeUndefined();
    expect(validator.version).toBe("3.1");
  });

  it("names the header the server reads the key from", () => {
    expect(Object.values(served.components.securitySchemes).map(({ name }) => name)).toEqual([
      API_KEY_HEADER,
    ]);
  });

  it("answers other methods 405, like every API route", async () => {
    const answer = await call(server.url, "POST", "/api/openapi.json");
    expect({ status: answer.status, allow: answer.headers.get("allow"), body: answer.body }).toEqual({
      status: 405,
      allow: "GET",
      body: { error: ErrorMessage.methodNotAllowed },
    });
  });
});

// --- Running an example --------------------------------------------------------------------------------

interface ExampleWorld {
  /** Documented placeholder → the real value of this run. */
  placeholders: Map<string, string>;
  keys: Record<Exclude<ApiKeyKind, "none">, string>;
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * The documented customer, made for real: user, organization, agents, keys, another customer, and what the
 * example's setup says existed before its request.
 */
async function createExampleWorld(example: DocumentedExample): Promise<ExampleWorld> {
  const { uid, orgId, apiKey } = await createUser(db, EXAMPLE_TENANT.organization.name);
  const agentIds: string[] = [];
  for (const agent of EXAMPLE_TENANT.agents) {
    agentIds.push((await createAgent(db, { uid, name: agent.name })).agentId);
    // Agents are listed by creation time (milliseconds): keep the documented order certain.
    await pause(5);
  }
  const readOnly = await createApiKey(db, { uid, readOnly: true });
  const revoked = await createApiKey(db, { uid, readOnly: false });
  await revokeApiKey(db, revoked.keyId);
  const otherCustomer = await createTenant(db, "another customer");
  const { keys } = await listApiKeys(db, uid);
  const keyPrefix = keys.find(({ prefix }) => apiKey.startsWith(prefix))?.prefix ?? "";

  const placeholders = new Map<string, string>([
    [EXAMPLE_TENANT.uid, uid],
    [EXAMPLE_TENANT.organization.id, orgId],
    [EXAMPLE_TENANT.otherCustomersAgentId, otherCustomer.agentId],
    [EXAMPLE_TENANT.otherCustomersOrgId, otherCustomer.orgId],
    [EXAMPLE_TENANT.keyPrefix, keyPrefix],
  ]);
  EXAMPLE_TENANT.agents.forEach((agent, index) => {
    placeholders.set(agent.id, agentIds[index] ?? "");
  });

  // One request per number or entry: those of a single request are stored in key order, not in the given one.
  const caller = await authenticateApiKey(db, apiKey);
  const agentId = agentIds[0] ?? "";
  for (const number of example.blockList) {
    await addBlockedNumbers(db, caller, { uid, agentId, numbers: [number] }, "rest");
  }
  for (const { id, list, entry } of example.entries) {
    const made = await createEntries(
      db,
      caller,
      { uid, ...(list === "agent" ? { agentId } : { orgId }), entries: [entry] },
      "rest",
    );
    expect(made.failed, `the setup entry ${id}`).toEqual([]);
    placeholders.set(id, made.created[0]?.id ?? "");
  }
  return {
    placeholders,
    keys: {
      "read-write": apiKey,
      "read-only": readOnly.apiKey,
      revoked: revoked.apiKey,
      unknown: generateApiKey().secret,
    },
  };
}

function substitute<Value>(value: Value, placeholders: Map<string, string>): Value {
  if (typeof value === "string") {
    let text: string = value;
    for (const [placeholder, real] of placeholders) text = text.replaceAll(placeholder, real);
    return text as Value;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, placeholders)) as Value;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, placeholders)]),
    ) as Value;
  }
  return value;
}

// Values the server makes up (a cursor, the ids and instants of new entries) cannot be known in advance: they
// are read from the answer, at the place where the documented answer has one, and must have the documented
// form. A placeholder shown twice is learned once: the second place must answer the same value.
const SERVER_MADE = new Map<string, RegExp>([
  [EXAMPLE_TENANT.cursor, /^[A-Za-z0-9_-]+$/],
  ...EXAMPLE_TENANT.newEntryIds.map((id): [string, RegExp] => [id, /^ent_[0-9A-Za-z]{20}$/]),
  ...EXAMPLE_TENANT.eventIds.map((id): [string, RegExp] => [id, /^evt_[0-9A-Za-z]{20}$/]),
  ...Object.values(EXAMPLE_TENANT.instants).map((instant): [string, RegExp] => [
    instant,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
  ]),
]);

function learnServerMadeValues(
  documented: unknown,
  answered: unknown,
  placeholders: Map<string, string>,
): void {
  const form = typeof documented === "string" ? SERVER_MADE.get(documented) : undefined;
  if (form !== undefined) {
    expect(answered, `made by the server in place of ${documented}`).toMatch(form);
    if (!placeholders.has(documented as string)) placeholders.set(documented as string, answered as string);
  } else if (
    documented !== null &&
    typeof documented === "object" &&
    answered &&
    typeof answered === "object"
  ) {
    for (const [key, value] of Object.entries(documented)) {
      learnServerMadeValues(value, (answered as Record<string, unknown>)[key], placeholders);
    }
  }
}

// zod writes an instant's `pattern` beside its `format`: the pattern checks it.
const ajv = new Ajv2020({ strict: true, allErrors: true, formats: { "date-time": true } });

async function sendExample(example: DocumentedExample) {
  const world = await createExampleWorld(example);
  const query = example.query ? `?${new URLSearchParams(substitute(example.query, world.placeholders))}` : "";
  const body =
    example.body === undefined
      ? undefined
      : "text" in example.body
        ? substitute(example.body.text, world.placeholders)
        : JSON.stringify(substitute(example.body.json, world.placeholders));
  const answer = await call(server.url, example.method, `${example.path}${query}`, {
    ...(example.apiKey === "none" ? {} : { key: world.keys[example.apiKey] }),
    ...(body === undefined ? {} : { rawBody: body }),
  });
  learnServerMadeValues(example.response, answer.body, world.placeholders);
  return { answer, expected: substitute(example.response, world.placeholders) };
}

describe("every documented example, sent to the server", () => {
  const examples = listDocumentedExamples(buildOpenApiDocument());

  it("cover each documented status of each route and method but the ones only a state can cause", () => {
    const covered = new Set(examples.map(({ method, path, status }) => `${method} ${path} ${status}`));
    expect([...covered].sort()).toEqual(
      [
        "GET /api/agent-block-list 200",
        "GET /api/agent-block-list 400",
        "GET /api/agent-block-list 401",
        "POST /api/agent-block-list 200",
        "POST /api/agent-block-list 400",
        "POST /api/agent-block-list 401",
        "DELETE /api/agent-block-list 200",
        "DELETE /api/agent-block-list 400",
        "DELETE /api/agent-block-list 401",
        "PUT /api/agent-block-list 405",
        "GET /api/block-list-entries 200",
        "GET /api/block-list-entries 400",
        "GET /api/block-list-entries 401",
        "POST /api/block-list-entries 200",
        "POST /api/block-list-entries 400",
        "POST /api/block-list-entries 401",
        "PATCH /api/block-list-entries 200",
        "PATCH /api/block-list-entries 400",
        "PATCH /api/block-list-entries 401",
        "PATCH /api/block-list-entries 404",
        "DELETE /api/block-list-entries 200",
        "DELETE /api/block-list-entries 400",
        "DELETE /api/block-list-entries 401",
        "PUT /api/block-list-entries 405",
        "GET /api/block-list-entries/history 200",
        "GET /api/block-list-entries/history 400",
        "GET /api/block-list-entries/history 401",
        "POST /api/block-list-entries/history 405",
        "GET /api/block-list-check 200",
        "GET /api/block-list-check 400",
        "GET /api/block-list-check 401",
        "POST /api/block-list-check 405",
        "GET /api/organizations 200",
        "GET /api/organizations 401",
        "POST /api/organizations 405",
      ].sort(),
    );
    // Together with the statuses provoked below, that is every documented status but 500.
    expect(
      [...covered, ...provoked.map(({ method, path, status }) => `${method} ${path} ${status}`)].sort(),
    ).toEqual(
      documentedAnswers(buildOpenApiDocument())
        .map(({ method, path, status }) => `${method} ${path} ${status}`)
        .filter((label) => !label.endsWith(" 500"))
        .sort(),
    );
  });

  it.each(examples.map((example) => [example.label, example] as const))(
    "%s gets exactly the documented answer",
    async (_label, example) => {
      const { answer, expected } = await sendExample(example);

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: example.status,
        body: expected,
      });

      expectDocumentedSchemas(answer, example.responseSchema, example.responseHeaders);
    },
  );
});

/** The answer's body and each documented header are valid against the documented schemas. */
function expectDocumentedSchemas(
  answer: Answer,
  bodySchema: JsonSchema,
  headerSchemas: Record<string, JsonSchema>,
): void {
  const validateBody = ajv.compile(bodySchema);
  expect(validateBody(answer.body), JSON.stringify(validateBody.errors)).toBe(true);
  for (const [header, schema] of Object.entries(headerSchemas)) {
    const validateHeader = ajv.compile(schema);
    const value = answer.headers.get(header);
    expect(validateHeader(value), `${header}: ${value} ${JSON.stringify(validateHeader.errors)}`).toBe(true);
  }
}

// --- The statuses documented without an example ---------------------------------------------------------

interface DocumentedAnswer {
  method: string;
  path: string;
  status: number;
  response: ResponseObject;
}

/** Every status of every operation of the document, with its response, references resolved. */
function documentedAnswers(document: OpenApiDocument): DocumentedAnswer[] {
  return Object.entries(document.paths).flatMap(([path, pathItem]) =>
    HTTP_METHODS.flatMap((method) =>
      Object.entries(pathItem[method]?.responses ?? {}).map(([status, response]) => ({
        method: method.toUpperCase(),
        path,
        status: Number(status),
        response: resolveRefs(document, response) as ResponseObject,
      })),
    ),
  );
}

// What causes each: a body too large or not JSON (any server), a key past its budget, a database that is away.
const STATE_CAUSED: Record<number, string> = {
  413: ErrorMessage.bodyTooLarge,
  415: ErrorMessage.unsupportedMediaType,
  429: ErrorMessage.tooManyRequests,
  503: ErrorMessage.serviceUnavailable,
};
const provoked = documentedAnswers(buildOpenApiDocument()).filter(
  ({ status, response }) =>
    STATE_CAUSED[status] !== undefined &&
    Object.keys(response.content["application/json"].examples ?? {}).length === 0,
);

/**
 * A well-formed request to the operation, with `key`: what the statuses provoked here refuse comes before the
 * service looks at it.
 */
function validRequest(
  method: string,
  path: string,
  tenant: { uid: string; agentId: string },
  key: string,
): { path: string; options: CallOptions } {
  const list = { uid: tenant.uid, agentId: tenant.agentId };
  const withQuery = (query: Record<string, string>) => ({ path: `${path}?${new URLSearchParams(query)}` });
  const requests: Record<string, { path?: string; body?: unknown }> = {
    [`GET ${BLOCK_LIST_PATH}`]: { path: blockListPath(list) },
    [`POST ${BLOCK_LIST_PATH}`]: { body: { ...list, numbers: ["+14155552671"] } },
    [`DELETE ${BLOCK_LIST_PATH}`]: { body: { ...list, numbers: ["+14155552671"] } },
    [`GET ${ENTRIES_PATH}`]: withQuery(list),
    [`POST ${ENTRIES_PATH}`]: { body: { ...list, entries: [{ match: "withheld" }] } },
    [`PATCH ${ENTRIES_PATH}`]: { body: { uid: tenant.uid, id: "ent_5Zn0BqT7xCv2MwK9dRhF", note: "a note" } },
    [`DELETE ${ENTRIES_PATH}`]: { body: { uid: tenant.uid, ids: ["ent_5Zn0BqT7xCv2MwK9dRhF"] } },
    [`GET ${HISTORY_PATH}`]: withQuery(list),
    [`GET ${CHECK_PATH}`]: withQuery({ ...list, number: "+14155552671" }),
    [`GET ${ORGANIZATIONS_PATH}`]: {},
  };
  const request = requests[`${method} ${path}`];
  if (!request) throw new Error(`No request made for ${method} ${path}`);
  return {
    path: request.path ?? path,
    options: { key, ...(request.body === undefined ? {} : { body: request.body }) },
  };
}

/** The answer is exactly the documented one: the status, its one error text, and the documented schemas. */
function expectAsDocumented(answered: DocumentedAnswer, answer: Answer): void {
  const label = `${answered.method} ${answered.path} ${answered.status}`;
  // The one route that also takes a CSV file names both types it takes.
  const takesCsv =
    answered.status === 415 && `${answered.method} ${answered.path}` === `POST ${ENTRIES_PATH}`;
  expect({ label, status: answer.status, body: answer.body }).toEqual({
    label,
    status: answered.status,
    body: { error: takesCsv ? ErrorMessage.unsupportedEntriesMediaType : STATE_CAUSED[answered.status] },
  });
  const content = answered.response.content["application/json"];
  expectDocumentedSchemas(
    answer,
    content.schema as JsonSchema,
    Object.fromEntries(
      Object.entries(answered.response.headers ?? {}).map(([name, { schema }]) => [name, schema]),
    ),
  );
}

describe("every documented status without an example, provoked on a real server", () => {
  const answersOf = (status: number) => provoked.filter((answered) => answered.status === status);

  it("413 for a body over 2 MiB, and 415 for a body that is not JSON", async () => {
    const tenant = await createTenant(db, "bodies");
    for (const answered of [...answersOf(413), ...answersOf(415)]) {
      const { path, options } = validRequest(answered.method, answered.path, tenant, tenant.apiKey);
      const json = JSON.stringify(options.body);
      const sent =
        answered.status === 413
          ? { ...options, body: undefined, rawBody: json + " ".repeat(MAX_BODY_BYTES) }
          : { ...options, body: undefined, rawBody: json, headers: { "Content-Type": "text/plain" } };
      expectAsDocumented(answered, await call(server.url, answered.method, path, sent));
    }
  });

  it("429 once the key has spent its budget", async () => {
    const key = limited.alice.readOnlyKey;
    for (let spent = 0; spent < RATE_LIMIT; spent++) {
      expect((await call(limited.server.url, "GET", "/api/organizations", { key })).status).toBe(200);
    }
    for (const answered of answersOf(429)) {
      const { path, options } = validRequest(answered.method, answered.path, limited.alice, key);
      expectAsDocumented(answered, await call(limited.server.url, answered.method, path, options));
    }
  });

  it("503 while the database is away", async () => {
    // A key of its own, whose budget is untouched: nothing but the outage stands in the way.
    const key = limited.alice.apiKey;
    await limited.postgres.stop();
    try {
      for (const answered of answersOf(503)) {
        const { path, options } = validRequest(answered.method, answered.path, limited.alice, key);
        expectAsDocumented(answered, await call(limited.server.url, answered.method, path, options));
      }
    } finally {
      await limited.postgres.start();
    }
  });
});
