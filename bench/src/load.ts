// HTTP load through autocannon: many connections, each cycling through a list of GET requests.
import autocannon from "autocannon";

export interface LoadOptions {
  baseUrl: string;
  /** Paths (with query) that every connection cycles through. */
  paths: readonly string[];
  headers: Record<string, string>;
  connections: number;
  /** Run for this long, or until `amount` requests are answered. */
  durationSeconds?: number;
  amount?: number;
}

export interface LoadResult {
  /** Successful answers per second over the run. */
  requestsPerSecond: number;
  /** Latency percentiles, milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Requests that got no answer within TIMEOUT_SECONDS (an overloaded machine, not a wrong answer). */
  timeouts: number;
}

// autocannon's default (10 s) is reached on a badly overloaded shared machine; such requests are counted, not fatal.
const TIMEOUT_SECONDS = 60;

/**
 * Runs the load; a non-2xx answer or a connection error fails the run, since a fast wrong answer measures
 * nothing. Timeouts are reported.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.durationSeconds } : { amount: options.amount }),
    headers: options.headers,
    timeout: TIMEOUT_SECONDS,
    requests: options.paths.map((path) => ({ method: "GET" as const, path })),
  });
  if (result.errors > result.timeouts || result.non2xx > 0 || result["2xx"] === 0) {
    throw new Error(
      `load on ${options.baseUrl}${options.paths[0]}: ${result["2xx"]} answers 2xx, ${result.non2xx} not, ` +
        `${result.errors} errors (${result.timeouts} timeouts)`,
    );
  }
  return {
    requestsPerSecond: result["2xx"] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result["2xx"],
    timeouts: result.timeouts,
  };
}
