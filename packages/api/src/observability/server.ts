// For the server entry point only (apps/web/server.ts): the logger and the request wrapper.
export {
  newObservation,
  type RequestObservation,
  runWithObservation,
  setProcessLogger,
} from "./context";
export {
  REQUEST_ID_HEADER,
  requestIdOf,
  requestLogFields,
  routeLabel,
} from "./http";
export { createLogger, type Logger, type LoggerOptions, routeConsoleToLogger } from "./logger";
export { createMetrics, recordRequest } from "./metrics";
export { Readiness } from "./readiness";
