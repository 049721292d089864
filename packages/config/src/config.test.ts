import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, SETTING_NAMES } from "./config";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("loadConfig", () => {
  it("has a default for every setting", () => {
    expect(loadConfig({})).toEqual({
      server: {
        port: 3000,
        host: "0.0.0.0",
        shutdownTimeoutMs: 25_000,
        drainMs: 0,
        publicUrl: undefined,
        trustProxy: false,
      },
      database: {
        url: undefined,
        directUrl: undefined,
        replicaUrl: undefined,
        dataDir: undefined,
        poolMax: 10,
        connectTimeoutMs: 5000,
      },
      log: { level: "info", format: "auto" },
      metrics: { token: undefined },
      rateLimit: { requests: 6000, windowSeconds: 60 },
      checkCache: { maxNumbers: 1_000_000 },
      hits: { flushMs: 1000 },
      session: { idleMinutes: 720, maxHours: 168 },
      history: { retentionDays: 400 },
    });
  });

  it("reads every setting", () => {
    expect(
      loadConfig({
        PORT: "8080",
        HOST: "127.0.0.1",
        SHUTDOWN_TIMEOUT_MS: "5000",
        SHUTDOWN_DRAIN_MS: "3000",
        DATABASE_URL: "postgresql://app:secret@pgbouncer.internal:6432/blocklist",
        DATABASE_DIRECT_URL: "postgresql://app:secret@db.internal:5432/blocklist",
        DATABASE_REPLICA_URL: "postgresql://app:secret@replica.internal:5432/blocklist",
        DATA_DIR: "/var/lib/blocklist",
        DATABASE_POOL_MAX: "25",
        DATABASE_CONNECT_TIMEOUT_MS: "2000",
        LOG_LEVEL: "debug",
        LOG_FORMAT: "json",
        METRICS_TOKEN: "0123456789abcdef0123",
        RATE_LIMIT_REQUESTS: "100",
        RATE_LIMIT_WINDOW_SECONDS: "1",
        CHECK_CACHE_MAX_NUMBERS: "0",
        HITS_FLUSH_MS: "250",
        PUBLIC_URL: "https://blocklist.example.com",
        TRUST_PROXY: "true",
        SESSION_IDLE_MINUTES: "30",
        SESSION_MAX_HOURS: "24",
        HISTORY_RETENTION_DAYS: "30",
      }),
    ).toEqual({
      server: {
        port: 8080,
        host: "127.0.0.1",
        shutdownTimeoutMs: 5000,
        drainMs: 3000,
        publicUrl: "https://blocklist.example.com",
        trustProxy: true,
      },
      database: {
        url: "postgresql://app:secret@pgbouncer.internal:6432/blocklist",
        directUrl: "postgresql://app:secret@db.internal:5432/blocklist",
        replicaUrl: "postgresql://app:secret@replica.internal:5432/blocklist",
        dataDir: "/var/lib/blocklist",
        poolMax: 25,
        connectTimeoutMs: 2000,
      },
      log: { level: "debug", format: "json" },
      metrics: { token: "0123456789abcdef0123" },
      rateLimit: { requests: 100, windowSeconds: 1 },
      checkCache: { maxNumbers: 0 },
      hits: { flushMs: 250 },
      session: { idleMinutes: 30, maxHours: 24 },
      history: { retentionDays: 30 },
    });
  });

  it("keeps history 1 day to 100 years", () => {
    expect(problemsOf({ HISTORY_RETENTION_DAYS: "0" })).toEqual([
      'Invalid configuration: HISTORY_RETENTION_DAYS must be a whole number from 1 to 36500 (got "0")',
    ]);
  });

  it("turns rate limiting off with RATE_LIMIT_REQUESTS=0 and refuses windows outside 1 s to 1 day", () => {
    expect(loadConfig({ RATE_LIMIT_REQUESTS: "0" }).rateLimit).toEqual({ requests: 0, windowSeconds: 60 });
    expect(problemsOf({ RATE_LIMIT_REQUESTS: "-1", RATE_LIMIT_WINDOW_SECONDS: "0" })).toEqual([
      'Invalid configuration: RATE_LIMIT_REQUESTS must be a whole number from 0 to 1000000000 (got "-1")',
      'Invalid configuration: RATE_LIMIT_WINDOW_SECONDS must be a whole number from 1 to 86400 (got "0")',
    ]);
    expect(problemsOf({ RATE_LIMIT_WINDOW_SECONDS: "86401" })).toEqual([
      'Invalid configuration: RATE_LIMIT_WINDOW_SECONDS must be a whole number from 1 to 86400 (got "86401")',
    ]);
  });

  it("treats an empty value as unset, and ignores case and spaces where they cannot matter", () => {
    const config = loadConfig({ PORT: "", DATABASE_URL: "  ", LOG_LEVEL: " WARN ", LOG_FORMAT: "Pretty" });
    expect(config.server.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.log).toEqual({ level: "warn", format: "pretty" });
  });

  it("takes DATABASE_URL for the direct connection unless DATABASE_DIRECT_URL is set, and refuses it alone", () => {
    const url = "postgresql://app:secret@db.internal:5432/blocklist";
    expect(loadConfig({ DATABASE_URL: url }).database).toMatchObject({ url, directUrl: url });
    expect(loadConfig({ DATABASE_URL: url, DATABASE_DIRECT_URL: " " }).database).toMatchObject({
      url,
      directUrl: url,
    });
    expect(problemsOf({ DATABASE_DIRECT_URL: url })).toEqual([
      "Invalid configuration: DATABASE_DIRECT_URL needs DATABASE_URL: the embedded PostgreSQL has one URL, always direct",
    ]);
  });

  it("takes DATABASE_REPLICA_URL with DATABASE_URL only, and never prints it", () => {
    const url = "postgresql://app:secret@db.internal:5432/blocklist";
    const replicaUrl = "postgresql://app:secret@replica.internal:5432/blocklist";
    expect(loadConfig({ DATABASE_URL: url, DATABASE_REPLICA_URL: replicaUrl }).database).toMatchObject({
      url,
      directUrl: url,
      replicaUrl,
    });
    expect(problemsOf({ DATABASE_REPLICA_URL: replicaUrl })).toEqual([
      "Invalid configuration: DATABASE_REPLICA_URL needs DATABASE_URL: a replica streams from a PostgreSQL of your own, not the embedded one",
    ]);
    expect(problemsOf({ DATABASE_URL: url, DATABASE_REPLICA_URL: "http://app:hunter2@replica/app" })).toEqual(
      [
        "Invalid configuration: DATABASE_REPLICA_URL must be a postgresql://user:password@host:port/database URL",
      ],
    );
  });

  it("accepts port 0 (any free port) and IPv6 hosts", () => {
    expect(loadConfig({ PORT: "0", HOST: "::1" }).server).toMatchObject({ port: 0, host: "::1" });
  });

  it.each([
    ["PORT", "abc", 'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "abc")'],
    ["PORT", "70000", 'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "70000")'],
    ["PORT", "-1", 'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "-1")'],
    ["PORT", "3000.5", 'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "3000.5")'],
    [
      "SHUTDOWN_TIMEOUT_MS",
      "30s",
      'Invalid configuration: SHUTDOWN_TIMEOUT_MS must be a whole number from 0 to 600000 (got "30s")',
    ],
    [
      "HOST",
      "local host",
      'Invalid configuration: HOST must be a host name or an IP address to listen on (got "local host")',
    ],
    [
      "CHECK_CACHE_MAX_NUMBERS",
      "100000001",
      'Invalid configuration: CHECK_CACHE_MAX_NUMBERS must be a whole number from 0 to 100000000 (got "100000001")',
    ],
    [
      "HITS_FLUSH_MS",
      "2000",
      'Invalid configuration: HITS_FLUSH_MS must be a whole number from 10 to 1000 (got "2000")',
    ],
    [
      "DATABASE_POOL_MAX",
      "0",
      'Invalid configuration: DATABASE_POOL_MAX must be a whole number from 1 to 1000 (got "0")',
    ],
    [
      "DATABASE_CONNECT_TIMEOUT_MS",
      "5s",
      'Invalid configuration: DATABASE_CONNECT_TIMEOUT_MS must be a whole number from 100 to 600000 (got "5s")',
    ],
    [
      "LOG_LEVEL",
      "loud",
      'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    ["LOG_FORMAT", "xml", 'Invalid configuration: LOG_FORMAT must be one of auto, json, pretty (got "xml")'],
    ["TRUST_PROXY", "yes", 'Invalid configuration: TRUST_PROXY must be one of true, false (got "yes")'],
    [
      "PUBLIC_URL",
      "blocklist.example.com",
      'Invalid configuration: PUBLIC_URL must be an http:// or https:// URL (got "blocklist.example.com")',
    ],
    [
      "PUBLIC_URL",
      "ftp://blocklist.example.com",
      'Invalid configuration: PUBLIC_URL must be an http:// or https:// URL (got "ftp://blocklist.example.com")',
    ],
    [
      "SESSION_IDLE_MINUTES",
      "0",
      'Invalid configuration: SESSION_IDLE_MINUTES must be a whole number from 1 to 43200 (got "0")',
    ],
    [
      "SESSION_MAX_HOURS",
      "8761",
      'Invalid configuration: SESSION_MAX_HOURS must be a whole number from 1 to 8760 (got "8761")',
    ],
  ])("refuses %s=%s with one line naming it", (name, value, message) => {
    expect(problemsOf({ [name]: value })).toEqual([message]);
  });

  it("never prints the value of a secret setting", () => {
    expect(problemsOf({ DATABASE_URL: "mysql://root:hunter2@db/app" })).toEqual([
      "Invalid configuration: DATABASE_URL must be a postgresql://user:password@host:port/database URL",
    ]);
    expect(
      problemsOf({
        DATABASE_URL: "postgresql://app@db/app",
        DATABASE_DIRECT_URL: "http://app:hunter2@db/app",
      }),
    ).toEqual([
      "Invalid configuration: DATABASE_DIRECT_URL must be a postgresql://user:password@host:port/database URL",
    ]);
    expect(problemsOf({ METRICS_TOKEN: "short" })).toEqual([
      "Invalid configuration: METRICS_TOKEN must be at least 16 characters long",
    ]);
    expect(problemsOf({ METRICS_TOKEN: "has a space in the middle" })).toEqual([
      "Invalid configuration: METRICS_TOKEN must be printable ASCII without spaces",
    ]);
  });

  it("reports every bad setting, one line each", () => {
    expect(problemsOf({ PORT: "x", LOG_LEVEL: "y", METRICS_TOKEN: "z" })).toEqual([
      'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "x")',
      'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "y")',
      "Invalid configuration: METRICS_TOKEN must be at least 16 characters long",
    ]);
  });

  it("ignores variables it does not know", () => {
    expect(() => loadConfig({ PATH: "/usr/bin", NODE_ENV: "production" })).not.toThrow();
  });
});

describe("the documentation of the settings", () => {
  it("lists every setting in the README's Configuration table", () => {
    const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? "";
    const documented = [...section.matchAll(/^\| `([A-Z_]+)`/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...SETTING_NAMES].sort());
  });

  it("lists every setting in .env.example", () => {
    const example = readFileSync(path.join(repoRoot, ".env.example"), "utf8");
    const listed = [...example.matchAll(/^#? ?([A-Z_]+)=/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...SETTING_NAMES].sort());
  });
});
