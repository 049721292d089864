import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { withoutUserNamespaces } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the production entry point (the built server), which must stop by itself (here: before it touches any
 * database), through `wrap` if given (a command line around it).
 */
function runServer(
  env: Record<string, string>,
  wrap: (command: string, args: string[]) => [string, string[]] = (command, args) => [command, args],
): Promise<Exit> {
  const [command, args] = wrap(process.execPath, ["dist/server.mjs"]);
  const child = spawn(command, args, {
    cwd: webDir,
    // A DATABASE_URL nobody listens on: if the configuration were accepted, start-up would fail differently.
    env: { ...process.env, DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

// Each case is a separate start of the server: run them side by side.
describe.concurrent("a bad setting", () => {
  it.each([
    ["PORT", "http", 'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "http")'],
    ["PORT", "65536", 'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "65536")'],
    [
      "HOST",
      "not a host",
      'Invalid configuration: HOST must be a host name or an IP address to listen on (got "not a host")',
    ],
    [
      "DATABASE_URL",
      "mysql://root:hunter2@db/app",
      "Invalid configuration: DATABASE_URL must be a postgresql://user:password@host:port/database URL",
    ],
    [
      "DATABASE_POOL_MAX",
      "0",
      'Invalid configuration: DATABASE_POOL_MAX must be a whole number from 1 to 1000 (got "0")',
    ],
    [
      "DATABASE_CONNECT_TIMEOUT_MS",
      "1e3",
      'Invalid configuration: DATABASE_CONNECT_TIMEOUT_MS must be a whole number from 100 to 600000 (got "1e3")',
    ],
    [
      "LOG_LEVEL",
      "verbose",
      'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ],
    [
      "LOG_FORMAT",
      "text",
      'Invalid configuration: LOG_FORMAT must be one of auto, json, pretty (got "text")',
    ],
    ["METRICS_TOKEN", "letmein", "Invalid configuration: METRICS_TOKEN must be at least 16 characters long"],
  ])("%s=%s stops start-up with one line naming it", async (name, value, message) => {
    const exit = await runServer({ [name]: value });
    expect(exit).toEqual({ code: 78, stdout: "", stderr: `${message}\n` });
  });

  it("never shows a secret's value", async () => {
    const exit = await runServer({ DATABASE_URL: "mysql://root:hunter2@db/app", METRICS_TOKEN: "hunter2" });
    expect(exit.code).toBe(78);
    expect(exit.stderr.trim().split("\n")).toHaveLength(2);
    expect(exit.stderr).not.toContain("hunter2");
  });
});

/** The one line a start-up failure logs: JSON, level fatal, no error object (so no stack trace). */
function fatalLine(exit: Exit): Record<string, unknown> {
  expect(exit.stderr).toBe("");
  const lines = exit.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
  expect(line).not.toHaveProperty("err");
  expect(exit.stdout).not.toMatch(/"stack"|\n\s+at /);
  return line;
}

describe.concurrent("an unreachable DATABASE_URL", () => {
  it("stops start-up with one line and a non-zero exit when nothing listens", async () => {
    const exit = await runServer({ DATABASE_URL: "postgresql://nobody:hunter2@127.0.0.1:1/none" });
    expect(exit.code).toBe(1);
    expect(fatalLine(exit)).toMatchObject({
      level: "fatal",
      msg: "Cannot start: Cannot connect to PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)",
    });
    expect(exit.stdout).not.toContain("hunter2");
  });

  it("gives up after DATABASE_CONNECT_TIMEOUT_MS when the server never answers", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const exit = await runServer({
        DATABASE_URL: `postgresql://nobody@127.0.0.1:${port}/none`,
        DATABASE_CONNECT_TIMEOUT_MS: "500",
      });
      expect(exit.code).toBe(1);
      expect(fatalLine(exit)).toMatchObject({
        level: "fatal",
        msg: `Cannot start: Cannot connect to PostgreSQL at 127.0.0.1:${port} (timeout expired)`,
      });
    } finally {
      silent.close();
    }
  });
});

describe.skipIf(process.getuid?.() !== 0)("an embedded PostgreSQL that cannot start", () => {
  it("stops start-up with one line saying why and a non-zero exit", async () => {
    const folder = await mkdtemp(join(tmpdir(), "blocklist-private-"));
    try {
      // As root where user namespaces are not allowed, PostgreSQL can only run as the postgres user, which cannot
      // enter the private folder.
      const exit = await runServer(
        { DATABASE_URL: "", DATA_DIR: join(folder, "data"), LOG_FORMAT: "json" },
        withoutUserNamespaces,
      );
      expect(exit.code).toBe(1);
      expect(fatalLine(exit)).toMatchObject({ level: "fatal" });
      expect(fatalLine(exit).msg).toMatch(
        /^Cannot start: PostgreSQL refuses to run as root, user namespaces are not available here \(unshare: .+\), and the postgres user cannot enter \/\S* \(mode 0[0-7]{3}, owner uid \d+\): run as a non-root user, put the clone and DATA_DIR where other users may enter, or set DATABASE_URL$/,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
