export {
  API_KEY_HEADER,
  BLOCK_LIST_PATH,
  buildOpenApiDocument,
  CHECK_PATH,
  ENTRIES_PATH,
  HISTORY_PATH,
  ORGANIZATIONS_PATH,
  requestSchemasOf,
} from "./document";
export { type ApiExample, EXAMPLE_TENANT } from "./examples";
export { type DocumentedExample, listDocumentedExamples, resolveRefs } from "./read";
export type * from "./types";
export { HTTP_METHODS } from "./types";
