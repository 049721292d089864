// Mixed load through HAProxy: adds, removes, list pages and checks, from workers that each own a set of numbers
// on one agent (no two workers touch the same number), so that every answer can be checked against a model of
// what that agent's list holds. An answer that is not a 200 makes the numbers it touched "unknown" until a later
// answer says again.

export type Kind = "add" | "remove" | "list" | "entries" | "check";
export type Presence = "present" | "absent" | "unknown";

export interface Target {
  uid: string;
  agentId: string;
  apiKey: string;
}

export interface Outcome {
  phase: string;
  kind: Kind;
  /** HTTP status, or 0 when no HTTP answer came (connection failed, or the 10 s limit passed). */
  status: number;
  ms: number;
  /** When the answer (or the failure) came, Date.now(). */
  at: number;
  /** Why no HTTP answer came (status 0). */
  error?: string;
}

const REQUEST_LIMIT_MS = 10_000;
const NUMBERS_PER_WORKER = 400;
const WEIGHTS: [Kind, number][] = [
  ["check", 55],
  ["add", 15],
  ["remove", 10],
  ["list", 12],
  ["entries", 8],
];
const AREA_CODES = ["415", "212", "650", "646", "718", "917", "312", "617", "202", "305"];

/** The `index`th distinct valid number (0 ≤ index < 100,000). */
function numberAt(index: number): string {
  return `+1${AREA_CODES[Math.floor(index / 10_000)]}555${String(index % 10_000).padStart(4, "0")}`;
}

/** A small deterministic generator: the same run picks the same operations. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

export class Worker {
  readonly numbers: string[];
  /** What the agent's list holds of this worker's numbers, as the answers said. */
  readonly model = new Map<string, Presence>();
  /** Answers that contradict the model (a number reported added while known present, …). */
  readonly contradictions: string[] = [];
  readonly #next: () => number;

  constructor(
    readonly index: number,
    readonly target: Target,
    readonly baseUrl: string,
  ) {
    this.numbers = Array.from({ length: NUMBERS_PER_WORKER }, (_, i) =>
      numberAt(index * NUMBERS_PER_WORKER + i),
    );
    for (const number of this.numbers) this.model.set(number, "absent");
    this.#next = random(index + 1);
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)] as T;
  }

  #kind(): Kind {
    let roll = this.#next() * 100;
    for (const [kind, weight] of WEIGHTS) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return "check";
  }

  /** A few answers other than 200, as they came, to say what failed. */
  readonly failures: string[] = [];

  async #request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        "X-Authorization": this.target.apiKey,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_LIMIT_MS),
    });
    const text = await response.text();
    if (response.status !== 200 && this.failures.length < 3) {
      this.failures.push(`${method} ${path.split("?")[0]}: ${response.status} ${text.slice(0, 160)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json };
  }

  /** The answer says the number was `before` and is now `after`; a definite model that disagrees is a contradiction. */
  #note(number: string, before: Presence, after: Presence, said: string): void {
    const known = this.model.get(number);
    if (known !== "unknown" && known !== before) {
      this.contradictions.push(`${this.target.agentId} ${number}: known ${known}, yet ${said}`);
    }
    this.model.set(number, after);
  }

  /** One operation; never throws. */
  async step(): Promise<Omit<Outcome, "phase">> {
    const kind = this.#kind();
    const { uid, agentId } = this.target;
    const started = performance.now();
    const present = this.numbers.filter((number) => this.model.get(number) !== "absent");
    const touched =
      kind === "remove" && present.length > 0
        ? [this.#pick(present)]
        : kind === "add"
          ? [this.#pick(this.numbers), this.#pick(this.numbers)]
          : [];
    let status = 0;
    let error: string | undefined;
    try {
      if (kind === "add" || (kind === "remove" && touched.length > 0)) {
        const answer = await this.#request(kind === "add" ? "POST" : "DELETE", "/api/agent-block-list", {
          uid,
          agentId,
          numbers: touched,
        });
        status = answer.status;
        if (status === 200) this.#apply(answer.json as MutationAnswer);
      } else if (kind === "list" || kind === "remove") {
        status = (
          await this.#request(
            "GET",
            `/api/agent-block-list?${new URLSearchParams({ uid, agentId, limit: "100" })}`,
          )
        ).status;
      } else if (kind === "entries") {
        status = (
          await this.#request(
            "GET",
            `/api/block-list-entries?${new URLSearchParams({ uid, agentId, limit: "50" })}`,
          )
        ).status;
      } else {
        const input = encodeURIComponent(JSON.stringify({ agentId, number: this.#pick(this.numbers) }));
        status = (await this.#request("GET", `/api/trpc/blockList.check?input=${input}`)).status;
      }
    } catch (caught) {
      status = 0;
      const cause = (caught as { cause?: { code?: string; message?: string } }).cause;
      error = `${cause?.code ?? (caught as Error).name}: ${cause?.message ?? (caught as Error).message}`;
    }
    if (status !== 200) for (const number of touched) this.model.set(number, "unknown");
    if (error !== undefined && this.failures.length < 6) {
      this.failures.push(`${kind} at ${new Date().toISOString()}: ${error}`);
    }
    const ms = performance.now() - started;
    return { kind, status, ms, at: Date.now(), ...(error === undefined ? {} : { error }) };
  }

  #apply(answer: MutationAnswer): void {
    for (const number of answer.added ?? []) this.#note(number, "absent", "present", "reported added");
    for (const number of answer.removed ?? []) this.#note(number, "present", "absent", "reported removed");
    for (const { number, reason } of answer.failed ?? []) {
      if (reason === "Number already in block list")
        this.#note(number, "present", "present", "already there");
      if (reason === "Number not found in block list") this.#note(number, "absent", "absent", "not found");
    }
  }
}

interface MutationAnswer {
  added?: string[];
  removed?: string[];
  failed?: { number: string; reason: string }[];
}

/** Runs every worker in a loop while `running()`; each outcome goes to `record`. */
export async function runLoad(
  workers: Worker[],
  phase: () => string,
  running: () => boolean,
  record: (outcome: Outcome) => void,
): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      // An answer belongs to the phase it came in: a request in flight when an instance is killed fails in the
      // phase of the kill.
      while (running()) record({ ...(await worker.step()), phase: phase() });
    }),
  );
}
