import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";

const cliBin = join(dirname(fileURLToPath(import.meta.url)), "../../bin/cli.mjs");
const { url: databaseUrl } = await testDatabaseForFile();

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  return cliWith({ DATABASE_URL: databaseUrl }, ...args);
}

async function cliWith(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliBin, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `--json` promises one JSON object on stdout and nothing else. */
async function cliJson(...args: string[]): Promise<Record<string, unknown>> {
  const result = await cli(...args, "--json");
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout.endsWith("\n")).toBe(true);
  expect(result.stdout.trim().split("\n")).toHaveLength(1);
  return JSON.parse(result.stdout);
}

// Each command is a process of its own that loads TypeScript and Prisma: seconds each on a busy 2-core machine.
const EVERY_COMMAND_TIMEOUT_MS = 180_000;

describe("pnpm cli", () => {
  it("runs every command with --json output of the documented shape", {
    timeout: EVERY_COMMAND_TIMEOUT_MS,
  }, async () => {
    const user = await cliJson("user", "create", "--name", "Ada");
    expect(user).toEqual({
      uid: expect.stringMatching(/^usr_/),
      orgId: expect.stringMatching(/^org_/),
      apiKey: expect.stringMatching(/^bl_[0-9A-Za-z]{32}$/),
    });

    const org = await cliJson("org", "create", "--name", "Acme");
    expect(org).toEqual({ orgId: expect.stringMatching(/^org_/) });
    expect(await cliJson("org", "add-member", "--org", String(org.orgId), "--uid", String(user.uid))).toEqual(
      {
        orgId: org.orgId,
        uid: user.uid,
      },
    );

    expect(await cliJson("agent", "create", "--uid", String(user.uid), "--name", "main")).toEqual({
      agentId: expect.stringMatching(/^agt_/),
      orgId: user.orgId,
    });
    expect(
      await cliJson(
        "agent",
        "create",
        "--uid",
        String(user.uid),
        "--name",
        "support",
        "--org",
        String(org.orgId),
      ),
    ).toEqual({ agentId: expect.stringMatching(/^agt_/), orgId: org.orgId });

    const key = await cliJson("key", "create", "--uid", String(user.uid), "--read-only");
    expect(key).toEqual({ keyId: expect.stringMatching(/^key_/), apiKey: expect.stringMatching(/^bl_/) });
    expect(await cliJson("key", "revoke", "--key-id", String(key.keyId))).toEqual({
      keyId: key.keyId,
      revoked: true,
    });

    const listing = await cliJson("key", "list", "--uid", String(user.uid));
    expect(listing).toEqual({
      keys: [
        {
          keyId: expect.stringMatching(/^key_/),
          prefix: String(user.apiKey).slice(0, 9),
          readOnly: false,
          revoked: false,
          createdAt: expect.any(String),
        },
        {
          keyId: key.keyId,
          prefix: String(key.apiKey).slice(0, 9),
          readOnly: true,
          revoked: true,
          createdAt: expect.any(String),
        },
      ],
    });
    expect(JSON.stringify(listing)).not.toContain(String(key.apiKey));
  });

  it("prints readable lines without --json", async () => {
    const result = await cli("user", "create", "--name", "Bo");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^uid: usr_\w+\norgId: org_\w+\napiKey: bl_\w+\n$/);
  });

  it.each([
    ["an unknown command", ["frobnicate"], /unknown command/],
    ["a missing required option", ["user", "create", "--json"], /--name/],
    ["an unknown option", ["key", "list", "--uid", "usr_x", "--colour", "--json"], /unknown option/],
    [
      "an unknown user",
      ["agent", "create", "--uid", "usr_missing", "--name", "x", "--json"],
      /No user with uid usr_missing/,
    ],
    [
      "an unknown organization",
      ["org", "add-member", "--org", "org_missing", "--uid", "usr_x", "--json"],
      /No user|No organization/,
    ],
    [
      "an unknown key",
      ["key", "revoke", "--key-id", "key_missing", "--json"],
      /No API key with id key_missing/,
    ],
  ])("exits non-zero with a message on stderr for %s", async (_label, args, message) => {
    const result = await cli(...args);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
  });

  it("refuses a bad setting with the server's message, never echoing the database URL", async () => {
    const result = await cliWith(
      { DATABASE_URL: "mysql://admin:hunter2@db/blocklist" },
      "user",
      "create",
      "--name",
      "x",
      "--json",
    );
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: Invalid configuration: DATABASE_URL /);
    expect(result.stderr).not.toContain("hunter2");
  });
});
