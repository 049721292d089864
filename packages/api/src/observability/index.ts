// What request handlers use: the per-request record, readiness and the metrics scrape. The server's own
// pieces (logger, request wrapper) are in "./server", so that route bundles never load pino.
export {
  type BulkOutcome,
  type CheckOutcome,
  currentObservation,
  noteApiKey,
  noteOutcome,
  noteProcedure,
  noteRoute,
  type ProcessLogger,
  processLogger,
  type RequestObservation,
  reportError,
} from "./context";
export { bearerMatches, metricsResponse, readinessResponse } from "./endpoints";
export { createMetrics, type MetricSources, renderMetrics, type ServiceMetrics } from "./metrics";
export { Readiness, type ReadinessOptions, type ReadinessReport } from "./readiness";
