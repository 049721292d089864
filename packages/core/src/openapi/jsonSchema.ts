import { z } from "zod";
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

/**
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, the dialect zod 4 writes. A request is described by what it
 * may be (`input`), an answer by what the server sends (`output`).
 */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { target: "draft-2020-12", io });
  return jsonSchema;
}

function distinct(messages: readonly ErrorMessage[]): [ErrorMessage, ...ErrorMessage[]] {
  return [...new Set(messages)] as [ErrorMessage, ...ErrorMessage[]];
}

/** An error answer whose `error` is one of these texts, with or without `issues`. */
function errorSchema(messages: readonly ErrorMessage[], { issues }: { issues: boolean }): z.ZodType {
  const error = z.enum(distinct(messages));
  return issues
    ? errorResponseSchema.extend({ error })
    : errorResponseSchema.omit({ issues: true }).extend({ error });
}

const described = (description: string, schema: JsonSchema): JsonSchema => ({ description, ...schema });

/** The named schemas of the document (`#/components/schemas/…`). */
export function componentSchemas(): Record<string, JsonSchema> {
  return {
    BlockListChange: described(
      "The agent and the numbers to add or remove. Unknown fields are ignored.",
      toJsonSchema(blockListMutationSchema, "input"),
    ),
    BlockList: described(
      "An agent's block list, or one page of it.",
      toJsonSchema(blockListResponseSchema, "output"),
    ),
    NumbersAdded: described(
      "Every entry of the request appears once: in `added` (E.164) or in `failed` (as sent).",
      toJsonSchema(addResponseSchema, "output"),
    ),
    NumbersRemoved: described(
      "Every entry of the request appears once: in `removed` (E.164) or in `failed` (as sent).",
      toJsonSchema(removeResponseSchema, "output"),
    ),
    Organizations: described(
      "The organizations the key's user belongs to, oldest first, each with its agents, oldest first.",
      toJsonSchema(organizationsResponseSchema, "output"),
    ),
    InvalidQueryError: toJsonSchema(errorSchema([ErrorMessage.invalidQuery], { issues: true }), "output"),
    InvalidBodyError: described(
      "`issues` says what is wrong with a body that is JSON; a body that is not JSON has none.",
      toJsonSchema(
        errorSchema([ErrorMessage.invalidBody, ErrorMessage.invalidJson], { issues: true }),
        "output",
      ),
    ),
    UnauthorizedError: toJsonSchema(
      errorSchema([ErrorMessage.invalidKey, ErrorMessage.insufficientPermissions], { issues: false }),
      "output",
    ),
    InvalidKeyError: toJsonSchema(errorSchema([ErrorMessage.invalidKey], { issues: false }), "output"),
    MethodNotAllowedError: toJsonSchema(
      errorSchema([ErrorMessage.methodNotAllowed], { issues: false }),
      "output",
    ),
    BodyTooLargeError: toJsonSchema(errorSchema([ErrorMessage.bodyTooLarge], { issues: false }), "output"),
    UnsupportedMediaTypeError: toJsonSchema(
      errorSchema([ErrorMessage.unsupportedMediaType], { issues: false }),
      "output",
    ),
    TooManyRequestsError: toJsonSchema(
      errorSchema([ErrorMessage.tooManyRequests], { issues: false }),
      "output",
    ),
    InternalServerError: toJsonSchema(errorSchema([ErrorMessage.internal], { issues: false }), "output"),
    ServiceUnavailableError: toJsonSchema(
      errorSchema([ErrorMessage.serviceUnavailable], { issues: false }),
      "output",
    ),
  };
}
