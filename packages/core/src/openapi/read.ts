import {
  type ApiKeyKind,
  type ExampleObject,
  type ExampleSetupEntry,
  HTTP_METHODS,
  type JsonSchema,
  type OpenApiDocument,
  type OperationObject,
  type ResponseObject,
} from "./types";

/** One example of the document read back as a whole: the request to send and the answer it must get. */
export interface DocumentedExample {
  /** `GET /api/agent-block-list 200 wholeList` */
  label: string;
  name: string;
  method: string;
  path: string;
  apiKey: ApiKeyKind;
  /** The agent's block list before the request. */
  blockList: string[];
  /** The entries made after the block list, before the request. */
  entries: ExampleSetupEntry[];
  query?: Record<string, string>;
  body?: { json: unknown } | { text: string };
  status: number;
  response: unknown;
  /** The documented schema of the answer's body, references resolved. */
  responseSchema: JsonSchema;
  /** The documented schema of each answer header. */
  responseHeaders: Record<string, JsonSchema>;
}

/** A copy of `node` with every local `$ref` of the document replaced by what it points to. */
export function resolveRefs<Node>(document: OpenApiDocument, node: Node): Node {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(document, item)) as Node;
  if (node === null || typeof node !== "object") return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === "string") return resolveRefs(document, pointTo(document, ref)) as Node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, resolveRefs(document, value)]),
  ) as Node;
}

function pointTo(document: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`Only local references are resolved, not ${ref}`);
  let target: unknown = document;
  for (const token of ref.slice(2).split("/")) {
    const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
    if (target === null || typeof target !== "object" || !Object.hasOwn(target, key)) {
      throw new Error(`Unresolvable reference ${ref}`);
    }
    target = (target as Record<string, unknown>)[key];
  }
  return target;
}

// Request examples pair with the response example of the same name; an unpaired one is a mistake.
function requestExampleNames(operation: OperationObject): Set<string> {
  const names = new Set<string>();
  for (const parameter of operation.parameters ?? []) {
    for (const name of Object.keys(parameter.examples ?? {})) names.add(name);
  }
  for (const name of Object.keys(operation.requestBody?.content["application/json"].examples ?? {})) {
    names.add(name);
  }
  return names;
}

function queryOf(operation: OperationObject, name: string): Record<string, string> | undefined {
  if (!operation.parameters) return undefined;
  const query: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    const example = parameter.examples?.[name];
    if (example) query[parameter.name] = String(example.value);
  }
  return query;
}

function bodyOf(operation: OperationObject, name: string): DocumentedExample["body"] {
  const example: ExampleObject | undefined =
    operation.requestBody?.content["application/json"].examples?.[name];
  if (!example) return undefined;
  return example["x-raw-body"] ? { text: String(example.value) } : { json: example.value };
}

/**
 * Every response example of the document with the request that gets it. Throws when the document breaks the
 * pairing convention: a request example without a response example, or a name answered twice.
 */
export function listDocumentedExamples(document: OpenApiDocument): DocumentedExample[] {
  const examples: DocumentedExample[] = [];
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const unanswered = requestExampleNames(operation);
      for (const [status, responseOrRef] of Object.entries(operation.responses)) {
        const response: ResponseObject = resolveRefs(document, responseOrRef) as ResponseObject;
        const content = response.content["application/json"];
        for (const [name, example] of Object.entries(content.examples ?? {})) {
          const label = `${method.toUpperCase()} ${path} ${status} ${name}`;
          if (
            examples.some(
              (other) => other.method === method.toUpperCase() && other.path === path && other.name === name,
            )
          ) {
            throw new Error(`${label}: the example name ${name} is answered twice`);
          }
          unanswered.delete(name);
          const query = queryOf(operation, name);
          const body = bodyOf(operation, name);
          examples.push({
            label,
            name,
            method: method.toUpperCase(),
            path,
            apiKey: example["x-setup"]?.apiKey ?? "read-write",
            blockList: example["x-setup"]?.blockList ?? [],
            entries: example["x-setup"]?.entries ?? [],
            ...(query === undefined ? {} : { query }),
            ...(body === undefined ? {} : { body }),
            status: Number(status),
            response: example.value,
            responseSchema: content.schema as JsonSchema,
            responseHeaders: Object.fromEntries(
              Object.entries(response.headers ?? {}).map(([header, { schema }]) => [header, schema]),
            ),
          });
        }
      }
      if (unanswered.size > 0) {
        throw new Error(
          `${method.toUpperCase()} ${path}: request examples without an answer: ${[...unanswered]}`,
        );
      }
    }
  }
  return examples;
}
