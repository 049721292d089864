// The parts of OpenAPI 3.1 this API uses, typed just enough to build the document and read it back in tests.
import type { z } from "zod";
import type { entryInputSchema } from "../entries";

export type JsonSchema = { [keyword: string]: unknown };
export type Reference = { $ref: string };

export type ApiKeyKind = "read-write" | "read-only" | "unknown" | "revoked" | "none";

/** What must hold before an example's request is sent: our `x-setup` extension of an Example Object. */
export interface ExampleSetup {
  /** The `X-Authorization` the request carries; a read-write key of the example's user when absent. */
  apiKey?: ApiKeyKind;
  /** The agent's block list (E.164, oldest first) before the request; empty when absent. */
  blockList?: string[];
  /** Entries made after the block list, one request each, in this order; none when absent. */
  entries?: ExampleSetupEntry[];
}

/** An entry that exists before an example's request, known in the example by a placeholder id. */
export interface ExampleSetupEntry {
  /** The placeholder (`ent_…`) that the example's request and answer use for the entry's real id. */
  id: string;
  /** `agent`: the own list of the example's agent (the tenant's first); `organization`: its organization's. */
  list: "agent" | "organization";
  /** The entry as a create takes it; no `expiresAt` (an instant in an example would expire with time). */
  entry: Omit<z.input<typeof entryInputSchema>, "expiresAt">;
}

export interface ExampleObject {
  summary: string;
  description?: string;
  value: unknown;
  /** On a request body example: `value` is the body's text as sent, not a JSON value. */
  "x-raw-body"?: true;
  /** On a response example. */
  "x-setup"?: ExampleSetup;
}

export interface MediaTypeObject {
  schema: JsonSchema | Reference;
  examples?: Record<string, ExampleObject>;
}

export interface HeaderObject {
  description: string;
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject>;
  content: { "application/json": MediaTypeObject; "text/csv"?: CsvMediaTypeObject };
}

/** A CSV body or answer: text, with one example. */
export interface CsvMediaTypeObject {
  schema: JsonSchema;
  example: string;
}

export interface ParameterObject {
  name: string;
  in: "query";
  required: boolean;
  description?: string;
  schema: JsonSchema;
  examples?: Record<string, Omit<ExampleObject, "x-setup">>;
}

export interface RequestBodyObject {
  required: boolean;
  description?: string;
  content: { "application/json": MediaTypeObject; "text/csv"?: CsvMediaTypeObject };
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  /** `[]` where no key is needed. */
  security?: Record<string, string[]>[];
  parameters?: ParameterObject[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject | Reference>;
}

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type PathItemObject = { summary?: string; description?: string } & {
  [Method in HttpMethod]?: OperationObject;
};

export interface OpenApiDocument {
  openapi: "3.1.1";
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, PathItemObject>;
  components: {
    securitySchemes: Record<string, { type: "apiKey"; in: "header"; name: string; description: string }>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
  };
}
