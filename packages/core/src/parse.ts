import type { z } from "zod";
import {
  type BlockListMutation,
  type BlockListQuery,
  blockListMutationSchema,
  blockListQuerySchema,
  type RequestIssue,
} from "./schemas";

// A body of 10,000 non-strings would otherwise answer with 10,000 issues; the first ones say enough.
export const MAX_REPORTED_ENTRY_ISSUES = 100;

/**
 * The `issues` of a 400 answer. A path is its keys joined with "." ("numbers.3"); an issue about the whole
 * body or query (a body that is not an object, say) has the path "". Issues about whole fields come first and
 * are all kept; issues about single entries of a list follow, at most MAX_REPORTED_ENTRY_ISSUES of them.
 */
export function toIssues(error: z.ZodError): RequestIssue[] {
  const fieldIssues = error.issues.filter((issue) => issue.path.length <= 1);
  const entryIssues = error.issues
    .filter((issue) => issue.path.length > 1)
    .slice(0, MAX_REPORTED_ENTRY_ISSUES);
  return [...fieldIssues, ...entryIssues].map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

export type ParseResult<Value> = { ok: true; value: Value } | { ok: false; issues: RequestIssue[] };

function parseWith<Schema extends z.ZodType>(schema: Schema, input: unknown): ParseResult<z.output<Schema>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: toIssues(result.error) };
}

export type QueryParams = URLSearchParams | Readonly<Record<string, string | undefined>>;

/** The GET query. A parameter given twice counts once, by its first value, as URLSearchParams.get reads it. */
export function parseBlockListQuery(params: QueryParams): ParseResult<BlockListQuery> {
  if (!(params instanceof URLSearchParams)) return parseWith(blockListQuerySchema, params);
  const firstValues: Record<string, string> = {};
  for (const [name, value] of params) {
    if (!Object.hasOwn(firstValues, name)) firstValues[name] = value;
  }
  return parseWith(blockListQuerySchema, firstValues);
}

/** The POST or DELETE body, already read as JSON. */
export function parseBlockListMutation(body: unknown): ParseResult<BlockListMutation> {
  return parseWith(blockListMutationSchema, body);
}
