import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestDatabase, testDatabaseForFile, withoutUserNamespaces } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";
import { createAgent } from "../admin/agents";
import { addBlockedNumbers } from "../blockList";
import { createTenant } from "../testing/fixtures";

const cliBin = join(dirname(fileURLToPath(import.meta.url)), "../../bin/cli.mjs");
const { url: databaseUrl, prisma: db } = await testDatabaseForFile();

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  return cliWith({ DATABASE_URL: databaseUrl }, ...args);
}

async function cliWith(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return run(env, process.execPath, [cliBin, ...args]);
}

async function run(env: Record<string, string>, command: string, args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
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
  return cliJsonWith({ DATABASE_URL: databaseUrl }, ...args);
}

async function cliJsonWith(env: Record<string, string>, ...args: string[]): Promise<Record<string, unknown>> {
  const result = await cliWith(env, ...args, "--json");
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout.endsWith("\n")).toBe(true);
  expect(result.stdout.trim().split("\n")).toHaveLength(1);
  return JSON.parse(result.stdout);
}

// Commander's words around our own, then the command's help.
const BAD_RATE_LIMIT =
  /argument '.*' is invalid\. expected a whole number from 1 to 1000000000, unlimited or default\./;

// For the refusals: the only member of an organization with two agents, and someone else.
const loner = await createTenant(db, "loner");
await createAgent(db, { uid: loner.uid, name: "second line" });
const stranger = await createTenant(db, "stranger");

/** How many rows each table holds: a refused command changes none. */
async function everyRowCount(): Promise<number[]> {
  return Promise.all([
    db.user.count(),
    db.organization.count(),
    db.membership.count(),
    db.agent.count(),
    db.apiKey.count(),
    db.entry.count(),
  ]);
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
          rateLimit: null,
        },
        {
          keyId: key.keyId,
          prefix: String(key.apiKey).slice(0, 9),
          readOnly: true,
          revoked: true,
          createdAt: expect.any(String),
          rateLimit: null,
        },
      ],
    });
    expect(JSON.stringify(listing)).not.toContain(String(key.apiKey));
  });

  it("gives a key its own budget at creation and later, and key list shows it", {
    timeout: EVERY_COMMAND_TIMEOUT_MS,
  }, async () => {
    const { uid } = await createTenant(db, "budgets");
    const limited = await cliJson("key", "create", "--uid", uid, "--rate-limit", "500");
    expect(limited).toEqual({ keyId: expect.stringMatching(/^key_/), apiKey: expect.stringMatching(/^bl_/) });
    const unlimited = await cliJson(
      "key",
      "create",
      "--uid",
      uid,
      "--read-only",
      "--rate-limit",
      "unlimited",
    );
    const budgets = async () =>
      ((await cliJson("key", "list", "--uid", uid)).keys as { keyId: string; rateLimit: unknown }[]).map(
        ({ keyId, rateLimit }) => ({ keyId, rateLimit }),
      );
    const [first, readOnly] = (await db.apiKey.findMany({
      where: { userId: uid },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
    })) as [{ id: string }, { id: string }];
    expect(await budgets()).toEqual([
      { keyId: first.id, rateLimit: null },
      { keyId: readOnly.id, rateLimit: null },
      { keyId: limited.keyId, rateLimit: 500 },
      { keyId: unlimited.keyId, rateLimit: "unlimited" },
    ]);

    expect(await cliJson("key", "set-rate-limit", "--key-id", first.id, "--rate-limit", "unlimited")).toEqual(
      {
        keyId: first.id,
        rateLimit: "unlimited",
      },
    );
    expect(
      await cliJson("key", "set-rate-limit", "--key-id", String(limited.keyId), "--rate-limit", "20"),
    ).toEqual({ keyId: limited.keyId, rateLimit: 20 });
    expect(
      await cliJson("key", "set-rate-limit", "--key-id", String(unlimited.keyId), "--rate-limit", "default"),
    ).toEqual({ keyId: unlimited.keyId, rateLimit: null });
    expect(await budgets()).toEqual([
      { keyId: first.id, rateLimit: "unlimited" },
      { keyId: readOnly.id, rateLimit: null },
      { keyId: limited.keyId, rateLimit: 20 },
      { keyId: unlimited.keyId, rateLimit: null },
    ]);
  });

  it("lists users, organizations and agents", { timeout: EVERY_COMMAND_TIMEOUT_MS }, async () => {
    // A database of its own, so that each listing is the whole of what this test made.
    const fresh = await createTestDatabase();
    try {
      const env = { DATABASE_URL: fresh.url };
      const ada = await createTenant(fresh.prisma, "Ada");
      const bo = await createTenant(fresh.prisma, "Bo");
      await fresh.prisma.membership.create({ data: { userId: bo.uid, organizationId: ada.orgId } });
      await addBlockedNumbers(fresh.prisma, ada.caller, {
        uid: ada.uid,
        agentId: ada.agentId,
        numbers: ["+14155552671"],
      });
      const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);

      expect(await cliJsonWith(env, "user", "list")).toEqual({
        users: [
          { uid: ada.uid, name: "Ada", orgIds: [ada.orgId], createdAt: at },
          { uid: bo.uid, name: "Bo", orgIds: [bo.orgId, ada.orgId], createdAt: at },
        ],
      });
      expect(await cliJsonWith(env, "org", "list")).toEqual({
        organizations: [
          { orgId: ada.orgId, name: "Ada", members: [ada.uid, bo.uid], agents: 1, createdAt: at },
          { orgId: bo.orgId, name: "Bo", members: [bo.uid], agents: 1, createdAt: at },
        ],
      });
      const adasAgent = {
        agentId: ada.agentId,
        name: "Ada agent",
        orgId: ada.orgId,
        blockedNumbers: 1,
        createdAt: at,
      };
      const bosAgent = {
        agentId: bo.agentId,
        name: "Bo agent",
        orgId: bo.orgId,
        blockedNumbers: 0,
        createdAt: at,
      };
      expect(await cliJsonWith(env, "agent", "list")).toEqual({ agents: [adasAgent, bosAgent] });
      expect(await cliJsonWith(env, "agent", "list", "--org", bo.orgId)).toEqual({ agents: [bosAgent] });
      expect(await cliJsonWith(env, "agent", "list", "--uid", ada.uid)).toEqual({ agents: [adasAgent] });
      expect(await cliJsonWith(env, "agent", "list", "--uid", bo.uid, "--org", ada.orgId)).toEqual({
        agents: [adasAgent],
      });

      const people = await cliWith(env, "agent", "list", "--org", ada.orgId);
      expect(people).toEqual({
        code: 0,
        stdout: expect.stringMatching(
          new RegExp(
            `^agents:\\n  agentId=${ada.agentId}  name=Ada agent  orgId=${ada.orgId}  blockedNumbers=1  createdAt=\\S+\\n$`,
          ),
        ),
        stderr: "",
      });
    } finally {
      await fresh.drop();
    }
  });

  it("removes a member, deletes an agent with its list, and deletes a user with their keys", {
    timeout: EVERY_COMMAND_TIMEOUT_MS,
  }, async () => {
    const ada = await createTenant(db, "Ada");
    const bo = await createTenant(db, "Bo");
    await db.membership.create({ data: { userId: bo.uid, organizationId: ada.orgId } });
    await addBlockedNumbers(db, ada.caller, {
      uid: ada.uid,
      agentId: ada.agentId,
      numbers: ["+14155552671"],
    });

    expect(await cliJson("org", "remove-member", "--org", ada.orgId, "--uid", bo.uid)).toEqual({
      orgId: ada.orgId,
      uid: bo.uid,
      removed: true,
    });
    expect(await cliJson("agent", "delete", "--agent-id", ada.agentId)).toEqual({
      agentId: ada.agentId,
      deleted: true,
      deletedNumbers: 1,
    });
    expect(await db.entry.count({ where: { agentId: ada.agentId } })).toBe(0);
    expect(await cliJson("agent", "delete", "--agent-id", bo.agentId)).toEqual({
      agentId: bo.agentId,
      deleted: true,
      deletedNumbers: 0,
    });
    expect(await cliJson("user", "delete", "--uid", bo.uid)).toEqual({
      uid: bo.uid,
      deleted: true,
      deletedKeyIds: [bo.caller.keyId, bo.readOnlyCaller.keyId],
      deletedOrgIds: [bo.orgId],
    });
    expect(await db.apiKey.count({ where: { userId: bo.uid } })).toBe(0);

    // Without --json: one line per field, lists of ids on one line.
    expect(await cli("user", "delete", "--uid", ada.uid)).toEqual({
      code: 0,
      stdout:
        `uid: ${ada.uid}\ndeleted: true\ndeletedKeyIds: ${ada.caller.keyId}, ${ada.readOnlyCaller.keyId}\n` +
        `deletedOrgIds: ${ada.orgId}\n`,
      stderr: "",
    });
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
    ["a budget of 0", ["key", "create", "--uid", "usr_x", "--rate-limit", "0", "--json"], BAD_RATE_LIMIT],
    [
      "a budget that is no number",
      ["key", "create", "--uid", "usr_x", "--rate-limit", "lots"],
      BAD_RATE_LIMIT,
    ],
    [
      "a budget over the largest",
      ["key", "set-rate-limit", "--key-id", "key_x", "--rate-limit", "1000000001", "--json"],
      BAD_RATE_LIMIT,
    ],
    [
      "set-rate-limit without a budget",
      ["key", "set-rate-limit", "--key-id", "key_x", "--json"],
      /--rate-limit/,
    ],
    [
      "a budget for an unknown key",
      ["key", "set-rate-limit", "--key-id", "key_missing", "--rate-limit", "5", "--json"],
      "error: No API key with id key_missing\n",
    ],
    [
      "agents of an unknown organization",
      ["agent", "list", "--org", "org_missing", "--json"],
      "error: No organization with id org_missing\n",
    ],
    [
      "deleting an unknown agent",
      ["agent", "delete", "--agent-id", "agt_missing", "--json"],
      "error: No agent with id agt_missing\n",
    ],
    [
      "deleting an unknown user",
      ["user", "delete", "--uid", "usr_missing", "--json"],
      "error: No user with uid usr_missing\n",
    ],
    [
      "removing an organization's last member",
      ["org", "remove-member", "--org", loner.orgId, "--uid", loner.uid, "--json"],
      `error: User ${loner.uid} is the last member of organization ${loner.orgId}, which would be left with ` +
        `no one to manage it: add another member first (pnpm cli org add-member --org ${loner.orgId} --uid …)\n`,
    ],
    [
      "removing someone who is not a member",
      ["org", "remove-member", "--org", loner.orgId, "--uid", stranger.uid, "--json"],
      `error: User ${stranger.uid} is not a member of organization ${loner.orgId}\n`,
    ],
    [
      "deleting the last member of an organization with agents",
      ["user", "delete", "--uid", loner.uid, "--json"],
      `error: User ${loner.uid} is the last member of ${loner.orgId} (2 agents), whose agents would be left ` +
        "with no one to manage them: delete those agents first (pnpm cli agent delete), or add another " +
        "member (pnpm cli org add-member)\n",
    ],
  ] satisfies [string, string[], RegExp | string][])(
    "exits non-zero with a message on stderr for %s",
    async (_label, args, message) => {
      const before = await everyRowCount();
      const result = await cli(...args);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe("");
      if (typeof message === "string") expect(result.stderr).toBe(message);
      else expect(result.stderr).toMatch(message);
      expect(await everyRowCount()).toEqual(before);
    },
  );

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

  it.skipIf(process.getuid?.() !== 0)(
    "says in one line why the embedded PostgreSQL cannot start, and exits non-zero",
    async () => {
      const folder = await mkdtemp(join(tmpdir(), "blocklist-private-"));
      try {
        // As root where user namespaces are not allowed, PostgreSQL can only run as the postgres user, which
        // cannot enter the private folder.
        const [command, args] = withoutUserNamespaces(process.execPath, [
          cliBin,
          "user",
          "create",
          "--name",
          "x",
        ]);
        const result = await run({ DATABASE_URL: "", DATA_DIR: join(folder, "data") }, command, args);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(
          /^error: PostgreSQL refuses to run as root, user namespaces are not available here \(unshare: .+\), and the postgres user cannot enter \/\S* \(mode 0[0-7]{3}, owner uid \d+\): run as a non-root user, put the clone and DATA_DIR where other users may enter, or set DATABASE_URL\n$/,
        );
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  );
});
