export {
  API_KEY_HEADER,
  methodNotAllowedHandler,
  methodsNotAllowed,
  type RestContext,
  restHandler,
} from "./handler";
export { parseJsonBody, parseQuery } from "./parse";
export { errorResponse, jsonResponse, methodNotAllowedResponse } from "./responses";
