import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { EntryFailureReason, EntryRemovalFailureReason } from "../entries";
import { ADD_FAILURE_REASONS, ErrorMessage, REMOVE_FAILURE_REASONS } from "../messages";
import { toIssues } from "../parse";
import { buildOpenApiDocument, requestSchemasOf } from "./document";
import { EXAMPLE_TENANT } from "./examples";
import { listDocumentedExamples, resolveRefs } from "./read";
import { HTTP_METHODS, type JsonSchema, type ResponseObject } from "./types";

const document = buildOpenApiDocument();
const examples = listDocumentedExamples(document);
const operations = Object.entries(document.paths).flatMap(([path, pathItem]) =>
  HTTP_METHODS.flatMap((method) => {
    const operation = pathItem[method];
    return operation ? [{ label: `${method.toUpperCase()} ${path}`, method, path, operation }] : [];
  }),
);

async function validateOpenApi(candidate: unknown) {
  // The validator keeps what it was given; hand it a copy.
  return new Validator().validate(structuredClone(candidate) as Parameters<Validator["validate"]>[0]);
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const result = await validateOpenApi(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it("is refused by the same validator when broken (the check is live)", async () => {
    const { info: _info, ...withoutInfo } = document;
    expect((await validateOpenApi(withoutInfo)).valid).toBe(false);
    const badParameter = structuredClone(document);
    const listOperation = badParameter.paths["/api/agent-block-list"]?.get;
    (listOperation?.parameters?.[0] as { in: string }).in = "body";
    expect((await validateOpenApi(badParameter)).valid).toBe(false);
  });

  it("is plain JSON: serialising it loses nothing", () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  it("is built the same way every time", () => {
    expect(buildOpenApiDocument()).toEqual(document);
  });

  it("documents every route and method, each behind the key", () => {
    const keyed = operations.filter(({ operation }) => operation.security === undefined);
    expect(keyed.map(({ label }) => label)).toEqual([
      "GET /api/agent-block-list",
      "POST /api/agent-block-list",
      "DELETE /api/agent-block-list",
      "GET /api/block-list-entries",
      "POST /api/block-list-entries",
      "DELETE /api/block-list-entries",
      "PATCH /api/block-list-entries",
      "GET /api/block-list-entries/history",
      "GET /api/block-list-check",
      "GET /api/organizations",
    ]);
    const refused = operations.filter(({ operation }) => operation.security !== undefined);
    expect(refused.map(({ label }) => label)).toEqual([
      "PUT /api/agent-block-list",
      "PUT /api/block-list-entries",
      "POST /api/block-list-entries/history",
      "POST /api/block-list-check",
      "POST /api/organizations",
    ]);
    expect(document.security).toEqual([{ ApiKey: [] }]);
    expect(document.components.securitySchemes.ApiKey).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "X-Authorization",
    });
  });

  it("gives every operation an example of each of its statuses but the schema-only ones (413, 415, 429, 500, 503)", () => {
    for (const { label, operation } of operations) {
      const statuses = Object.keys(operation.responses).filter(
        (status) => !["413", "415", "429", "500", "503"].includes(status),
      );
      const exemplified = new Set(
        examples
          .filter((example) => label === `${example.method} ${example.path}`)
          .map((example) => String(example.status)),
      );
      expect([...exemplified].sort(), label).toEqual(statuses.sort());
      if (operation.security === undefined) {
        expect(operation.responses["500"], label).toEqual({
          $ref: "#/components/responses/InternalServerError",
        });
        expect(operation.responses["503"], label).toEqual({
          $ref: "#/components/responses/ServiceUnavailable",
        });
      }
    }
  });
});

describe("failure reasons and error texts", () => {
  const schemas = document.components.schemas as Record<string, { properties: Record<string, JsonSchema> }>;
  const errorEnum = (name: string) => schemas[name]?.properties.error?.enum;
  const reasonEnum = (name: string) =>
    (schemas[name]?.properties.failed?.items as { properties: { reason: JsonSchema } } | undefined)
      ?.properties.reason.enum;

  it("are enums of the constants the server answers with", () => {
    expect(reasonEnum("NumbersAdded")).toEqual([...ADD_FAILURE_REASONS]);
    expect(reasonEnum("NumbersRemoved")).toEqual([...REMOVE_FAILURE_REASONS]);
    expect(reasonEnum("EntriesCreated")).toEqual(Object.values(EntryFailureReason));
    expect(reasonEnum("EntriesRemoved")).toEqual(Object.values(EntryRemovalFailureReason));
    expect(errorEnum("EntryNotFoundError")).toEqual([EntryRemovalFailureReason.notFound]);
    expect(errorEnum("InvalidQueryError")).toEqual([ErrorMessage.invalidQuery]);
    expect(errorEnum("InvalidBodyError")).toEqual([
      ErrorMessage.invalidBody,
      ErrorMessage.invalidJson,
      ErrorMessage.invalidCsv,
    ]);
    expect(errorEnum("UnauthorizedError")).toEqual([
      ErrorMessage.invalidKey,
      ErrorMessage.insufficientPermissions,
    ]);
    expect(errorEnum("InvalidKeyError")).toEqual([ErrorMessage.invalidKey]);
    expect(errorEnum("MethodNotAllowedError")).toEqual([ErrorMessage.methodNotAllowed]);
    expect(errorEnum("BodyTooLargeError")).toEqual([ErrorMessage.bodyTooLarge]);
    expect(errorEnum("UnsupportedMediaTypeError")).toEqual([
      ErrorMessage.unsupportedMediaType,
      ErrorMessage.unsupportedEntriesMediaType,
    ]);
    expect(errorEnum("TooManyRequestsError")).toEqual([ErrorMessage.tooManyRequests]);
    expect(errorEnum("InternalServerError")).toEqual([ErrorMessage.internal]);
    expect(errorEnum("ServiceUnavailableError")).toEqual([ErrorMessage.serviceUnavailable]);
  });

  it("document 429 with Retry-After for every operation behind the key, and RateLimit-* on its 200", () => {
    const rateLimitHeaders = [
      "RateLimit-Limit",
      "RateLimit-Remaining",
      "RateLimit-Reset",
      "RateLimit-Policy",
    ];
    expect(Object.keys(document.components.responses.TooManyRequests?.headers ?? {})).toEqual([
      "Retry-After",
      ...rateLimitHeaders,
    ]);
    for (const { label, operation } of operations) {
      const keyed = operation.security === undefined;
      expect(operation.responses["429"], label).toEqual(
        keyed ? { $ref: "#/components/responses/TooManyRequests" } : undefined,
      );
      const ok = operation.responses["200"] as ResponseObject | undefined;
      expect(ok?.headers && Object.keys(ok.headers), label).toEqual(keyed ? rateLimitHeaders : undefined);
    }
  });

  it("document 413 and 415 for the methods with a body, and only for them", () => {
    for (const { label, method, operation } of operations.filter(({ operation }) => !operation.security)) {
      const withBody = ["post", "patch", "delete"].includes(method);
      expect(operation.requestBody !== undefined, label).toBe(withBody);
      expect([operation.responses["413"], operation.responses["415"]], label).toEqual(
        withBody
          ? [
              { $ref: "#/components/responses/BodyTooLarge" },
              { $ref: "#/components/responses/UnsupportedMediaType" },
            ]
          : [undefined, undefined],
      );
    }
  });

  it("cover every error text the routes answer with", () => {
    const documented = new Set(
      Object.keys(schemas).flatMap((name) => (errorEnum(name) as string[] | undefined) ?? []),
    );
    expect(documented).toEqual(
      new Set([
        ErrorMessage.invalidKey,
        ErrorMessage.insufficientPermissions,
        ErrorMessage.invalidQuery,
        ErrorMessage.invalidBody,
        ErrorMessage.invalidJson,
        ErrorMessage.bodyTooLarge,
        ErrorMessage.unsupportedMediaType,
        ErrorMessage.unsupportedEntriesMediaType,
        ErrorMessage.invalidCsv,
        ErrorMessage.methodNotAllowed,
        ErrorMessage.tooManyRequests,
        ErrorMessage.internal,
        ErrorMessage.serviceUnavailable,
        EntryRemovalFailureReason.notFound,
      ]),
    );
  });
});

/** What the route's own schemas make of an example's request: its query and its JSON body, each parsed. */
function parsedRequest(example: (typeof examples)[number]) {
  const schemas = requestSchemasOf(example.method, example.path);
  const parse = (schema: z.ZodType | undefined, input: unknown) => {
    if (!schema) return undefined;
    const result = schema.safeParse(input);
    return result.success ? { ok: true as const } : { ok: false as const, issues: toIssues(result.error) };
  };
  return {
    query: example.query ? parse(schemas.query, example.query) : undefined,
    body: example.body && "json" in example.body ? parse(schemas.body, example.body.json) : undefined,
  };
}

describe("the examples", () => {
  // zod writes an instant's `pattern` beside its `format`: the pattern checks it.
  const ajv = new Ajv2020({ strict: true, allErrors: true, formats: { "date-time": true } });

  it("pair every request example with exactly one answer", () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
    expect(new Set(examples.map((example) => example.label)).size).toBe(examples.length);
  });

  it.each(examples.map((example) => [example.label, example] as const))(
    "%s matches its documented schema",
    (_label, example) => {
      const validate = ajv.compile(example.responseSchema);
      expect(validate(example.response), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it("send requests that the route's schemas accept whenever the answer is a 200", () => {
    const judged = examples.filter(({ status }) => status === 200);
    for (const example of judged) {
      const { query, body } = parsedRequest(example);
      expect(
        [query, body].filter((parsed) => parsed?.ok === false),
        example.label,
      ).toEqual([]);
    }
    expect(judged.length).toBeGreaterThanOrEqual(20);
  });

  it("show 400 answers whose issues are the ones the route's schemas report for that request", () => {
    const compared: string[] = [];
    for (const example of examples.filter(({ status }) => status === 400)) {
      const { query, body } = parsedRequest(example);
      const parsed = query ?? body;
      // A body that is not JSON, a cursor only the store can judge, or an expiry that needs the clock never
      // fails the schema.
      if (!parsed || parsed.ok) continue;
      compared.push(example.label);
      expect({ issues: parsed.issues }, example.label).toEqual({
        issues: (example.response as { issues: unknown }).issues,
      });
    }
    expect(compared.length).toBeGreaterThanOrEqual(15);
  });

  it("use placeholder ids shaped like the real ones", () => {
    const setupIds = examples.flatMap(({ entries }) => entries.map(({ id }) => id));
    const ids = [
      EXAMPLE_TENANT.uid,
      EXAMPLE_TENANT.organization.id,
      ...EXAMPLE_TENANT.agents.map(({ id }) => id),
      EXAMPLE_TENANT.otherCustomersAgentId,
      EXAMPLE_TENANT.otherCustomersOrgId,
      ...EXAMPLE_TENANT.newEntryIds,
      ...new Set(setupIds),
    ];
    for (const id of ids) expect(id).toMatch(/^(usr|org|agt|ent)_[0-9A-Za-z]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(setupIds.length).toBeGreaterThanOrEqual(20);
    expect(EXAMPLE_TENANT.keyPrefix).toMatch(/^bl_[0-9A-Za-z]{6}$/);
  });

  it("resolve references to the schemas they name", () => {
    expect(resolveRefs(document, { $ref: "#/components/schemas/BlockList" })).toEqual(
      document.components.schemas.BlockList,
    );
    expect(() => resolveRefs(document, { $ref: "#/components/schemas/Nothing" })).toThrow(/Unresolvable/);
  });
});
