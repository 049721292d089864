// Load for the fault tests: workers sending a mix of REST adds, REST lists and tRPC checks to a running server,
// recording every answer (or the lack of one) for the test to judge afterwards.
import type { Tenant } from "@blocklist/api/testing";

export type TrafficKind = "add" | "list" | "check";

export interface TrafficAnswer {
  kind: TrafficKind;
  /** The fault phase current when the request was sent, and when its answer came. */
  sentIn: string;
  answeredIn: string;
  /** HTTP status; 0 when no answer came (connection refused or reset, or the client gave up). */
  status: number;
  body: string;
  retryAfter: string | null;
  contentType: string | null;
  ms: number;
  /** For an add: the numbers it sent. */
  numbers: string[];
  /** The network error when no answer came. */
  failure?: string;
}

export interface Traffic {
  answers: TrafficAnswer[];
  /** Names the current phase; answers record it. */
  phase: string;
  /** Stops the workers and waits for their last requests. */
  stop(): Promise<void>;
}

export interface TrafficOptions {
  baseUrl: () => string;
  tenant: Tenant;
  workers: number;
  /** Every number an add sends is new: `numberAt(i)` for i = 0, 1, 2, … */
  numberAt: (index: number) => string;
  numbersPerAdd: number;
  /** A request with no answer after this long counts as hung (status 0). */
  giveUpMs: number;
}

/** Starts `workers` loops that each send add, list, check in turn until stopped. */
export function startTraffic(options: TrafficOptions): Traffic {
  const { tenant } = options;
  let running = true;
  let nextNumber = 0;
  const traffic: Traffic = {
    answers: [],
    phase: "before",
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };

  async function send(kind: TrafficKind): Promise<void> {
    const numbers =
      kind === "add"
        ? Array.from({ length: options.numbersPerAdd }, () => options.numberAt(nextNumber++))
        : [];
    const url = new URL(
      kind === "add"
        ? "/api/agent-block-list"
        : kind === "list"
          ? `/api/agent-block-list?${new URLSearchParams({ uid: tenant.uid, agentId: tenant.agentId, limit: "10" })}`
          : `/api/trpc/blockList.check?input=${encodeURIComponent(JSON.stringify({ agentId: tenant.agentId, number: options.numberAt(0) }))}`,
      options.baseUrl(),
    );
    const sentIn = traffic.phase;
    const started = performance.now();
    const record = (answer: Omit<TrafficAnswer, "kind" | "sentIn" | "answeredIn" | "ms" | "numbers">) =>
      traffic.answers.push({
        kind,
        sentIn,
        answeredIn: traffic.phase,
        ms: performance.now() - started,
        numbers,
        ...answer,
      });
    try {
      const response = await fetch(url, {
        method: kind === "add" ? "POST" : "GET",
        headers: { "X-Authorization": tenant.apiKey, "Content-Type": "application/json" },
        ...(kind === "add"
          ? { body: JSON.stringify({ uid: tenant.uid, agentId: tenant.agentId, numbers }) }
          : {}),
        signal: AbortSignal.timeout(options.giveUpMs),
      });
      record({
        status: response.status,
        body: await response.text(),
        retryAfter: response.headers.get("retry-after"),
        contentType: response.headers.get("content-type"),
      });
    } catch (error) {
      const failure =
        error instanceof Error ? `${error.name}: ${String(error.cause ?? error.message)}` : String(error);
      record({ status: 0, body: "", retryAfter: null, contentType: null, failure });
    }
  }

  const loops = Array.from({ length: options.workers }, async (_, worker) => {
    const kinds: TrafficKind[] = ["add", "list", "check"];
    for (let turn = worker; running; turn++) {
      await send(kinds[turn % kinds.length] ?? "add");
      // No answer (the server is away): do not spin.
      if (traffic.answers.at(-1)?.status === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  return traffic;
}

/** Resolves once `condition` holds, checking every 50 ms; fails after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An answer body never names the database, the ORM or a stack frame. */
export const INTERNALS = /prisma|postgres|pg_|sql|ECONN|stack|\n\s+at |driver|adapter|terminat/i;
