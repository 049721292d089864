import {
  API_KEY_HEADER,
  addBlockedNumbers,
  authenticateApiKey,
  createAgent,
  createApiKey,
  createUser,
  generateApiKey,
  revokeApiKey,
} from "@blocklist/api";
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage } from "@blocklist/core";
import {
  type ApiKeyKind,
  buildOpenApiDocument,
  type DocumentedExample,
  EXAMPLE_TENANT,
  listDocumentedExamples,
  type OpenApiDocument,
} from "@blocklist/core/openapi";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "./http";
import { serverForFile } from "./server";

// The docs cannot drift from the code: the document is fetched from the running server, validated, and every
// example in it is sent to that server, against real data made for it, and must get exactly its answer.

const { db, server } = await serverForFile();
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

/** The documented customer, made for real: user, organization, agents, keys, and another customer. */
async function createExampleWorld(blockList: string[]): Promise<ExampleWorld> {
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

  // One request per number: numbers of a single request are stored in E.164 order, not in the given one.
  const caller = await authenticateApiKey(db, apiKey);
  for (const number of blockList) {
    await addBlockedNumbers(db, caller, { uid, agentId: agentIds[0] ?? "", numbers: [number] });
  }

  const placeholders = new Map<string, string>([
    [EXAMPLE_TENANT.uid, uid],
    [EXAMPLE_TENANT.organization.id, orgId],
    [EXAMPLE_TENANT.otherCustomersAgentId, otherCustomer.agentId],
  ]);
  EXAMPLE_TENANT.agents.forEach((agent, index) => {
    placeholders.set(agent.id, agentIds[index] ?? "");
  });
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

// Values the server makes up (a cursor) cannot be known in advance: they are read from the answer, at the
// place where the documented answer has one, and must have the documented form.
function learnServerMadeValues(
  documented: unknown,
  answered: unknown,
  placeholders: Map<string, string>,
): void {
  if (documented === EXAMPLE_TENANT.cursor) {
    expect(answered, "a cursor").toMatch(/^[A-Za-z0-9_-]+$/);
    placeholders.set(EXAMPLE_TENANT.cursor, answered as string);
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

const ajv = new Ajv2020({ strict: true, allErrors: true });

async function sendExample(example: DocumentedExample) {
  const world = await createExampleWorld(example.blockList);
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

  it("covers each documented status but 500 of each route and method", () => {
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
        "GET /api/organizations 200",
        "GET /api/organizations 401",
        "POST /api/organizations 405",
      ].sort(),
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

      const validateBody = ajv.compile(example.responseSchema);
      expect(validateBody(answer.body), JSON.stringify(validateBody.errors)).toBe(true);
      for (const [header, schema] of Object.entries(example.responseHeaders)) {
        const validateHeader = ajv.compile(schema);
        const value = answer.headers.get(header);
        expect(validateHeader(value), `${header}: ${value} ${JSON.stringify(validateHeader.errors)}`).toBe(
          true,
        );
      }
    },
  );
});
