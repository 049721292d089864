// Every setting of the service, read from the environment in this one place and checked at start-up.
// A new setting is one entry in `environmentSchema` plus its place in `Config`, a row in the README's
// "Configuration" table and a line in .env.example (a test checks the last two).
import { z } from "zod";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ["auto", "json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface Config {
  server: {
    port: number;
    host: string;
    /** After SIGTERM, how long in-flight requests may take before their connections are closed. */
    shutdownTimeoutMs: number;
    /** After SIGTERM, how long the instance keeps serving while not ready, so that a balancer sees it leave. */
    drainMs: number;
    /** Where people open the service (`https://…`); when set, its scheme alone decides the cookie's `Secure`. */
    publicUrl: string | undefined;
    /** Whether a proxy in front sets X-Forwarded-Proto; only then is that header believed. */
    trustProxy: boolean;
  };
  database: {
    /** An external PostgreSQL, for the service's pool (a pooler may be in between); undefined runs the embedded one. */
    url: string | undefined;
    /**
     * The same database reached directly, for LISTEN and the migration lock (they need a session of their own):
     * DATABASE_DIRECT_URL, else `url`; undefined with the embedded PostgreSQL, whose one URL is direct.
     */
    directUrl: string | undefined;
    /** A streaming replica of it, for the reads that tolerate lag (docs/DECISIONS.md, "Reads from a replica"). */
    replicaUrl: string | undefined;
    /** Files of the embedded PostgreSQL, relative to the working directory; undefined: `.data/` at the repo root. */
    dataDir: string | undefined;
    /** Connections in the service's pool. */
    poolMax: number;
    /** How long a new connection may take before the query fails. */
    connectTimeoutMs: number;
  };
  log: {
    level: LogLevel;
    /** `auto`: pretty when stdout is a terminal, JSON lines otherwise. */
    format: LogFormat;
  };
  metrics: {
    /** Bearer token for GET /api/metrics; undefined turns the endpoint off (404). */
    token: string | undefined;
  };
  rateLimit: {
    /** Requests one API key may make per window, over all instances; 0 turns limiting off. */
    requests: number;
    /** Length of a fixed window, aligned to the Unix epoch so every instance agrees on it. */
    windowSeconds: number;
  };
  checkCache: {
    /** Most blocked numbers an instance holds in memory for `check`, all agents together; 0: none. */
    maxNumbers: number;
  };
  hits: {
    /** How often each instance writes the hits it counted (SPEC-ENTRIES "Hits": at least once a second). */
    flushMs: number;
  };
  history: {
    /** History events older than this many days are purged. */
    retentionDays: number;
  };
  session: {
    /** A web UI session unused for this long ends. */
    idleMinutes: number;
    /** A web UI session ends this long after sign-in, however much it is used. */
    maxHours: number;
  };
}

/** Start-up stops on this; `problems` holds one printable line per bad setting. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

// Settings whose value must never be printed, not even in an error about it.
const SECRET_SETTINGS = new Set([
  "DATABASE_URL",
  "DATABASE_DIRECT_URL",
  "DATABASE_REPLICA_URL",
  "METRICS_TOKEN",
]);

// `FOO=` in a .env file or a process manager means "not set", as it does for the shell's ${FOO:-default}.
const unsetIfBlank = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(unsetIfBlank, schema.optional());
}

function wholeNumber(min: number, max: number, fallback: number) {
  const rule = `must be a whole number from ${min} to ${max}`;
  return optional(
    z
      .string()
      .trim()
      .regex(/^\d{1,10}$/, { error: rule })
      .transform(Number)
      .pipe(z.number().min(min, { error: rule }).max(max, { error: rule })),
  ).transform((value) => value ?? fallback);
}

function oneOf<const Values extends readonly [string, ...string[]]>(
  values: Values,
  fallback: Values[number],
) {
  return optional(
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(values, { error: `must be one of ${values.join(", ")}` })),
  ).transform((value) => value ?? fallback);
}

function flag(fallback: boolean) {
  return oneOf(["true", "false"], fallback ? "true" : "false").transform((value) => value === "true");
}

/** A URL with one of these schemes (`postgres:`…), else `error`. */
function urlWith(protocols: string[], error: string) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error },
  );
}

const postgresUrl = urlWith(
  ["postgres:", "postgresql:"],
  "must be a postgresql://user:password@host:port/database URL",
);

const publicUrl = z
  .string()
  .trim()
  .pipe(urlWith(["http:", "https:"], "must be an http:// or https:// URL"));

const host = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.:%[\]-]+$/, { error: "must be a host name or an IP address to listen on" });

// Sent by Prometheus in a header: printable ASCII without spaces, and long enough not to be guessed.
const metricsToken = z
  .string()
  .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces" })
  .min(16, { error: "must be at least 16 characters long" });

/** The environment variables this service reads, each with its rule and default. */
export const environmentSchema = z
  .object({
    PORT: wholeNumber(0, 65_535, 3000),
    HOST: optional(host).transform((value) => value ?? "0.0.0.0"),
    // Under the 30 s most supervisors (Kubernetes, systemd, Docker) wait before SIGKILL, so the embedded database
    // is still stopped cleanly.
    SHUTDOWN_TIMEOUT_MS: wholeNumber(0, 600_000, 25_000),
    // 0: stop listening at once (a supervisor alone). Behind a balancer, longer than its health checks take to
    // mark the instance down, or the requests it sends meanwhile find the port closed.
    SHUTDOWN_DRAIN_MS: wholeNumber(0, 600_000, 0),
    PUBLIC_URL: optional(publicUrl),
    TRUST_PROXY: flag(false),
    DATABASE_URL: optional(postgresUrl),
    // LISTEN and the migration lock need a session that a pooler in transaction mode (PgBouncer) does not keep.
    DATABASE_DIRECT_URL: optional(postgresUrl),
    // List pages and the check cache's loads may be read from a streaming replica; the primary stands in for it.
    DATABASE_REPLICA_URL: optional(postgresUrl),
    DATA_DIR: optional(z.string()),
    DATABASE_POOL_MAX: wholeNumber(1, 1000, 10),
    DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(100, 600_000, 5000),
    LOG_LEVEL: oneOf(LOG_LEVELS, "info"),
    LOG_FORMAT: oneOf(LOG_FORMATS, "auto"),
    METRICS_TOKEN: optional(metricsToken),
    // Cost units per key per window, for keys without a budget of their own (0: those are unlimited). 100 requests
    // a second per key on average: far above one customer's inbound calls, far below a runaway loop
    // (docs/DECISIONS.md, "Rate limiting").
    RATE_LIMIT_REQUESTS: wholeNumber(0, 1_000_000_000, 6000),
    RATE_LIMIT_WINDOW_SECONDS: wholeNumber(1, 86_400, 60),
    CHECK_CACHE_MAX_NUMBERS: wholeNumber(0, 100_000_000, 1_000_000),
    // At most a second (the spec's bound); shorter only costs a statement more per instance and interval.
    HITS_FLUSH_MS: wholeNumber(10, 1000, 1000),
    // A working day of inactivity, and a week in all: a copied cookie dies overnight, a person signs in weekly.
    SESSION_IDLE_MINUTES: wholeNumber(1, 43_200, 720),
    SESSION_MAX_HOURS: wholeNumber(1, 8760, 168),
    // A year and a month: "who blocked this caller last year?" still has an answer.
    HISTORY_RETENTION_DAYS: wholeNumber(1, 36_500, 400),
  })
  .superRefine((settings, context) => {
    if (settings.DATABASE_DIRECT_URL !== undefined && settings.DATABASE_URL === undefined) {
      context.addIssue({
        code: "custom",
        path: ["DATABASE_DIRECT_URL"],
        message: "needs DATABASE_URL: the embedded PostgreSQL has one URL, always direct",
      });
    }
    if (settings.DATABASE_REPLICA_URL !== undefined && settings.DATABASE_URL === undefined) {
      context.addIssue({
        code: "custom",
        path: ["DATABASE_REPLICA_URL"],
        message: "needs DATABASE_URL: a replica streams from a PostgreSQL of your own, not the embedded one",
      });
    }
  });

export type EnvironmentName = keyof typeof environmentSchema.shape;

/** The names of every setting, for documentation checks. */
export const SETTING_NAMES = Object.keys(environmentSchema.shape) as EnvironmentName[];

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? "configuration");
  const raw = env[name];
  const got = SECRET_SETTINGS.has(name) || raw === undefined ? "" : ` (got ${JSON.stringify(raw)})`;
  return `Invalid configuration: ${name} ${issue.message}${got}`;
}

/**
 * The service's configuration from `env` (default: process.env). Throws ConfigError, one line per bad setting,
 * naming the setting and never echoing a secret.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    // One line per setting, even when a value breaks several rules.
    const lines = new Map<string, string>();
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]);
      if (!lines.has(name)) lines.set(name, describeIssue(issue, env));
    }
    throw new ConfigError([...lines.values()]);
  }
  const settings = result.data;
  return {
    server: {
      port: settings.PORT,
      host: settings.HOST,
      shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
      drainMs: settings.SHUTDOWN_DRAIN_MS,
      publicUrl: settings.PUBLIC_URL,
      trustProxy: settings.TRUST_PROXY,
    },
    database: {
      url: settings.DATABASE_URL,
      directUrl: settings.DATABASE_DIRECT_URL ?? settings.DATABASE_URL,
      replicaUrl: settings.DATABASE_REPLICA_URL,
      dataDir: settings.DATA_DIR,
      poolMax: settings.DATABASE_POOL_MAX,
      connectTimeoutMs: settings.DATABASE_CONNECT_TIMEOUT_MS,
    },
    log: { level: settings.LOG_LEVEL, format: settings.LOG_FORMAT },
    metrics: { token: settings.METRICS_TOKEN },
    rateLimit: { requests: settings.RATE_LIMIT_REQUESTS, windowSeconds: settings.RATE_LIMIT_WINDOW_SECONDS },
    checkCache: { maxNumbers: settings.CHECK_CACHE_MAX_NUMBERS },
    hits: { flushMs: settings.HITS_FLUSH_MS },
    session: { idleMinutes: settings.SESSION_IDLE_MINUTES, maxHours: settings.SESSION_MAX_HOURS },
    history: { retentionDays: settings.HISTORY_RETENTION_DAYS },
  };
}
