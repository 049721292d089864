import type { PrismaClient } from "@blocklist/db";
import { createPrismaClient } from "@blocklist/db";
import { createTestDatabase, queriesDuring, testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { authenticateApiKey } from "../auth";
import { addBlockedNumbers, listBlockedNumbers } from "../blockList";
import {
  AuthenticationError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
} from "../errors";
import { newId } from "../ids";
import { listOrganizations } from "../organizations";
import { impossibleIdsLike } from "../testing/fixtures";
import { createAgent, deleteAgent, listAgents } from "./agents";
import { createApiKey, listApiKeys, revokeApiKey, setApiKeyRateLimit } from "./keys";
import {
  addOrganizationMember,
  createOrganization,
  listAllOrganizations,
  removeOrganizationMember,
} from "./organizations";
import { createUser, deleteUser, listUsers } from "./users";

const { prisma: db, url } = await testDatabaseForFile();
// A client nothing else uses, so that counting its queries counts only the call under test.
const quiet = createPrismaClient(url);
afterAll(() => quiet.$disconnect());

/** What a call fails with, for whole-value assertions on refusals. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  const error = await call.then(
    () => new Error("it succeeded"),
    (thrown: Error) => thrown,
  );
  return { name: error.name, message: error.message };
}

const notFound = (message: string) => ({ name: NotFoundError.name, message });
const conflict = (message: string) => ({ name: ConflictError.name, message });

/** Every row of the tables an admin command may change, to show that a refusal changed nothing. */
async function everything(client: PrismaClient) {
  const [users, organizations, memberships, agents, keys, numbers] = await Promise.all([
    client.user.findMany({ orderBy: { id: "asc" } }),
    client.organization.findMany({ orderBy: { id: "asc" } }),
    client.membership.findMany({ orderBy: [{ userId: "asc" }, { organizationId: "asc" }] }),
    client.agent.findMany({ orderBy: { id: "asc" } }),
    client.apiKey.findMany({ orderBy: { id: "asc" } }),
    client.entry.findMany({ orderBy: { seq: "asc" } }),
  ]);
  return { users, organizations, memberships, agents, keys, numbers };
}

describe("admin", () => {
  it("gives a new user a personal organization where agents go by default", async () => {
    const { uid, orgId, apiKey } = await createUser(db, "Ada");
    const agent = await createAgent(db, { uid, name: "main" });
    expect(agent.orgId).toBe(orgId);

    const caller = await authenticateApiKey(db, apiKey);
    await expect(listOrganizations(db, caller)).resolves.toEqual({
      organizations: [{ id: orgId, name: "Ada", agents: [{ id: agent.agentId, name: "main" }] }],
    });
  });

  it("shares an organization's agents with every member, and only with members", async () => {
    const ada = await createUser(db, "Ada");
    const bo = await createUser(db, "Bo");
    const outsider = await createUser(db, "Cy");
    const { orgId } = await createOrganization(db, "Acme");
    await expect(addOrganizationMember(db, { orgId, uid: ada.uid })).resolves.toEqual({
      orgId,
      uid: ada.uid,
    });
    await addOrganizationMember(db, { orgId, uid: bo.uid });
    await addOrganizationMember(db, { orgId, uid: bo.uid });
    const { agentId } = await createAgent(db, { uid: ada.uid, name: "support", orgId });

    const boView = await listOrganizations(db, await authenticateApiKey(db, bo.apiKey));
    expect(boView.organizations).toContainEqual({
      id: orgId,
      name: "Acme",
      agents: [{ id: agentId, name: "support" }],
    });
    const outsiderView = await listOrganizations(db, await authenticateApiKey(db, outsider.apiKey));
    expect(outsiderView.organizations.map((org) => org.id)).toEqual([outsider.orgId]);
  });

  it("refuses unknown users, organizations and keys, and agents in an organization the user is not in", async () => {
    const ada = await createUser(db, "Ada");
    const { orgId } = await createOrganization(db, "Elsewhere");
    await expect(createAgent(db, { uid: "usr_missing", name: "x" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(createAgent(db, { uid: ada.uid, name: "x", orgId })).rejects.toBeInstanceOf(NotFoundError);
    await expect(createAgent(db, { uid: ada.uid, name: "x", orgId: "org_missing" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(addOrganizationMember(db, { orgId: "org_missing", uid: ada.uid })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(addOrganizationMember(db, { orgId, uid: "usr_missing" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(createApiKey(db, { uid: "usr_missing", readOnly: false })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(revokeApiKey(db, "key_missing")).rejects.toBeInstanceOf(NotFoundError);
    await expect(listApiKeys(db, "usr_missing")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists a user's keys without their secrets, revoked ones marked", async () => {
    const { uid } = await createUser(db, "Ada");
    const readOnly = await createApiKey(db, { uid, readOnly: true });
    await revokeApiKey(db, readOnly.keyId);
    await revokeApiKey(db, readOnly.keyId);

    const { keys } = await listApiKeys(db, uid);
    expect(keys).toEqual([
      {
        keyId: expect.stringMatching(/^key_/),
        prefix: expect.stringMatching(/^bl_/),
        readOnly: false,
        revoked: false,
        createdAt: expect.any(String),
        rateLimit: null,
      },
      {
        keyId: readOnly.keyId,
        prefix: readOnly.apiKey.slice(0, 9),
        readOnly: true,
        revoked: true,
        createdAt: expect.any(String),
        rateLimit: null,
      },
    ]);
    expect(JSON.stringify(keys)).not.toContain(readOnly.apiKey);
  });

  it("gives a key its own budget, unlimited, or the default back, and lists it", async () => {
    const { uid } = await createUser(db, "Ada");
    const { keyId } = await createApiKey(db, { uid, readOnly: false, rateLimit: 50 });
    const budgets = async () => (await listApiKeys(db, uid)).keys.map((key) => key.rateLimit);
    const stored = async () =>
      (await db.apiKey.findUniqueOrThrow({ where: { id: keyId }, select: { rateLimit: true } })).rateLimit;
    expect(await budgets()).toEqual([null, 50]);
    expect(await stored()).toBe(50);

    await expect(setApiKeyRateLimit(db, keyId, "unlimited")).resolves.toEqual({
      keyId,
      rateLimit: "unlimited",
    });
    expect(await budgets()).toEqual([null, "unlimited"]);
    expect(await stored()).toBe(0);
    await expect(setApiKeyRateLimit(db, keyId, 1_000_000_000)).resolves.toEqual({
      keyId,
      rateLimit: 1_000_000_000,
    });
    await expect(setApiKeyRateLimit(db, keyId, null)).resolves.toEqual({ keyId, rateLimit: null });
    expect(await budgets()).toEqual([null, null]);

    expect(await failure(setApiKeyRateLimit(db, "key_missing", 5))).toEqual(
      notFound("No API key with id key_missing"),
    );
    // The column holds 0 (unlimited) or more, whoever writes it.
    await expect(db.$executeRaw`UPDATE api_keys SET rate_limit = -1 WHERE id = ${keyId}`).rejects.toThrow(
      /api_keys_rate_limit_check/,
    );
  });
});

describe("listing", () => {
  it("names every user, organization and agent, oldest first, and filters agents", async () => {
    // A database of its own, so that the whole listing is this test's.
    const fresh = await createTestDatabase();
    try {
      const client = fresh.prisma;
      const ada = await createUser(client, "Ada");
      const bo = await createUser(client, "Bo");
      const { orgId: acme } = await createOrganization(client, "Acme");
      await addOrganizationMember(client, { orgId: acme, uid: ada.uid });
      await addOrganizationMember(client, { orgId: acme, uid: bo.uid });
      const { agentId: support } = await createAgent(client, { uid: ada.uid, name: "support", orgId: acme });
      const { agentId: sales } = await createAgent(client, { uid: bo.uid, name: "sales" });
      await addBlockedNumbers(client, await authenticateApiKey(client, bo.apiKey), {
        uid: bo.uid,
        agentId: sales,
        numbers: ["+14155552671", "+442079460958"],
      });
      const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);

      expect(await listUsers(client)).toEqual({
        users: [
          { uid: ada.uid, name: "Ada", orgIds: [ada.orgId, acme], createdAt: at },
          { uid: bo.uid, name: "Bo", orgIds: [bo.orgId, acme], createdAt: at },
        ],
      });
      expect(await listAllOrganizations(client)).toEqual({
        organizations: [
          { orgId: ada.orgId, name: "Ada", members: [ada.uid], agents: 0, createdAt: at },
          { orgId: bo.orgId, name: "Bo", members: [bo.uid], agents: 1, createdAt: at },
          { orgId: acme, name: "Acme", members: [ada.uid, bo.uid], agents: 1, createdAt: at },
        ],
      });
      const supportAgent = {
        agentId: support,
        name: "support",
        orgId: acme,
        blockedNumbers: 0,
        createdAt: at,
      };
      const salesAgent = { agentId: sales, name: "sales", orgId: bo.orgId, blockedNumbers: 2, createdAt: at };
      expect(await listAgents(client)).toEqual({ agents: [supportAgent, salesAgent] });
      expect(await listAgents(client, { orgId: acme })).toEqual({ agents: [supportAgent] });
      expect(await listAgents(client, { uid: ada.uid })).toEqual({ agents: [supportAgent] });
      expect(await listAgents(client, { uid: bo.uid })).toEqual({ agents: [supportAgent, salesAgent] });
      expect(await listAgents(client, { uid: bo.uid, orgId: bo.orgId })).toEqual({ agents: [salesAgent] });
      expect(await listAgents(client, { uid: ada.uid, orgId: bo.orgId })).toEqual({ agents: [] });
      expect(await failure(listAgents(client, { orgId: "org_missing" }))).toEqual(
        notFound("No organization with id org_missing"),
      );
      expect(await failure(listAgents(client, { uid: "usr_missing" }))).toEqual(
        notFound("No user with uid usr_missing"),
      );
    } finally {
      await fresh.drop();
    }
  });
});

describe("org remove-member", () => {
  it("takes the user's access to the organization's agents away, and keeps everyone else's", async () => {
    const ada = await createUser(db, "Ada");
    const bo = await createUser(db, "Bo");
    const { orgId } = await createOrganization(db, "Acme");
    await addOrganizationMember(db, { orgId, uid: ada.uid });
    await addOrganizationMember(db, { orgId, uid: bo.uid });
    const { agentId } = await createAgent(db, { uid: ada.uid, name: "support", orgId });
    const bosKey = await authenticateApiKey(db, bo.apiKey);
    const list = { uid: bo.uid, agentId };
    expect(await listBlockedNumbers(db, bosKey, list)).toEqual({ blockList: [], count: 0 });

    await expect(removeOrganizationMember(db, { orgId, uid: bo.uid })).resolves.toEqual({
      orgId,
      uid: bo.uid,
      removed: true,
    });
    await expect(listBlockedNumbers(db, bosKey, list)).rejects.toBeInstanceOf(PermissionError);
    expect((await listOrganizations(db, bosKey)).organizations.map((org) => org.id)).toEqual([bo.orgId]);
    const adasKey = await authenticateApiKey(db, ada.apiKey);
    expect(await listBlockedNumbers(db, adasKey, { uid: ada.uid, agentId })).toEqual({
      blockList: [],
      count: 0,
    });
  });

  it("refuses to remove an organization's last member, or someone who is not a member, changing nothing", async () => {
    const ada = await createUser(db, "Ada");
    const bo = await createUser(db, "Bo");
    const before = await everything(db);

    expect(await failure(removeOrganizationMember(db, { orgId: ada.orgId, uid: ada.uid }))).toEqual(
      conflict(
        `User ${ada.uid} is the last member of organization ${ada.orgId}, which would be left with no one to ` +
          `manage it: add another member first (pnpm cli org add-member --org ${ada.orgId} --uid …)`,
      ),
    );
    expect(await failure(removeOrganizationMember(db, { orgId: ada.orgId, uid: bo.uid }))).toEqual(
      notFound(`User ${bo.uid} is not a member of organization ${ada.orgId}`),
    );
    expect(await failure(removeOrganizationMember(db, { orgId: "org_missing", uid: bo.uid }))).toEqual(
      notFound("No organization with id org_missing"),
    );
    expect(await failure(removeOrganizationMember(db, { orgId: ada.orgId, uid: "usr_missing" }))).toEqual(
      notFound("No user with uid usr_missing"),
    );
    expect(await everything(db)).toEqual(before);
  });

  it("lets only one of two removals at once take the last but one member", async () => {
    for (let round = 0; round < 10; round += 1) {
      const ada = await createUser(db, "Ada");
      const bo = await createUser(db, "Bo");
      const { orgId } = await createOrganization(db, "Pair");
      await addOrganizationMember(db, { orgId, uid: ada.uid });
      await addOrganizationMember(db, { orgId, uid: bo.uid });
      const outcomes = await Promise.allSettled([
        removeOrganizationMember(db, { orgId, uid: ada.uid }),
        removeOrganizationMember(db, { orgId, uid: bo.uid }),
      ]);
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect(outcomes.find((outcome) => outcome.status === "rejected")).toMatchObject({
        reason: expect.any(ConflictError),
      });
      expect(await db.membership.count({ where: { organizationId: orgId } })).toBe(1);
    }
  });
});

describe("agent delete", () => {
  it("deletes the agent with its whole block list, and nothing of any other agent", async () => {
    const ada = await createUser(db, "Ada");
    const caller = await authenticateApiKey(db, ada.apiKey);
    const { agentId } = await createAgent(db, { uid: ada.uid, name: "old line" });
    const { agentId: kept } = await createAgent(db, { uid: ada.uid, name: "new line" });
    const numbers = ["+14155552671", "+442079460958", "+33142685300"];
    await addBlockedNumbers(db, caller, { uid: ada.uid, agentId, numbers });
    await addBlockedNumbers(db, caller, { uid: ada.uid, agentId: kept, numbers: numbers.slice(0, 1) });

    await expect(deleteAgent(db, agentId)).resolves.toEqual({ agentId, deleted: true, deletedNumbers: 3 });
    expect(await db.entry.count({ where: { agentId } })).toBe(0);
    await expect(listBlockedNumbers(db, caller, { uid: ada.uid, agentId })).rejects.toBeInstanceOf(
      PermissionError,
    );
    expect(await listBlockedNumbers(db, caller, { uid: ada.uid, agentId: kept })).toEqual({
      blockList: ["+14155552671"],
      count: 1,
    });
    expect(await failure(deleteAgent(db, agentId))).toEqual(notFound(`No agent with id ${agentId}`));
  });
});

describe("user delete", () => {
  it("deletes the user, their keys and their empty personal organization; shared ones keep their agents", async () => {
    const ada = await createUser(db, "Ada");
    const bo = await createUser(db, "Bo");
    const { keyId: secondKey, apiKey: secondSecret } = await createApiKey(db, {
      uid: bo.uid,
      readOnly: true,
    });
    const { orgId: acme } = await createOrganization(db, "Acme");
    await addOrganizationMember(db, { orgId: acme, uid: ada.uid });
    await addOrganizationMember(db, { orgId: acme, uid: bo.uid });
    const { agentId } = await createAgent(db, { uid: bo.uid, name: "support", orgId: acme });
    const bosCaller = await authenticateApiKey(db, bo.apiKey);
    await addBlockedNumbers(db, bosCaller, { uid: bo.uid, agentId, numbers: ["+14155552671"] });

    await expect(deleteUser(db, bo.uid)).resolves.toEqual({
      uid: bo.uid,
      deleted: true,
      deletedKeyIds: [bosCaller.keyId, secondKey],
      deletedOrgIds: [bo.orgId],
    });
    for (const secret of [bo.apiKey, secondSecret]) {
      await expect(authenticateApiKey(db, secret)).rejects.toBeInstanceOf(AuthenticationError);
    }
    expect(await db.organization.findUnique({ where: { id: bo.orgId } })).toBeNull();
    // Acme, its agent and the number Bo's key added stay, in Ada's hands.
    const adasCaller = await authenticateApiKey(db, ada.apiKey);
    expect(await listBlockedNumbers(db, adasCaller, { uid: ada.uid, agentId })).toEqual({
      blockList: ["+14155552671"],
      count: 1,
    });
    expect(await db.entry.findMany({ where: { agentId }, select: { createdByKeyId: true } })).toEqual([
      { createdByKeyId: null },
    ]);
    expect(await failure(deleteUser(db, bo.uid))).toEqual(notFound(`No user with uid ${bo.uid}`));
  });

  it("refuses while the user is the last member of an organization that has agents, naming each, changing nothing", async () => {
    const ada = await createUser(db, "Ada");
    await createAgent(db, { uid: ada.uid, name: "main" });
    const { orgId: acme } = await createOrganization(db, "Acme");
    await addOrganizationMember(db, { orgId: acme, uid: ada.uid });
    await createAgent(db, { uid: ada.uid, name: "one", orgId: acme });
    await createAgent(db, { uid: ada.uid, name: "two", orgId: acme });
    const { orgId: empty } = await createOrganization(db, "Empty");
    await addOrganizationMember(db, { orgId: empty, uid: ada.uid });
    const before = await everything(db);

    const [first, second] = [ada.orgId, acme].sort();
    const agentsOf = (orgId: string | undefined) => (orgId === ada.orgId ? "1 agent" : "2 agents");
    expect(await failure(deleteUser(db, ada.uid))).toEqual(
      conflict(
        `User ${ada.uid} is the last member of ${first} (${agentsOf(first)}), ${second} ` +
          `(${agentsOf(second)}), whose agents would be left with no one to manage them: delete those ` +
          "agents first (pnpm cli agent delete), or add another member (pnpm cli org add-member)",
      ),
    );
    expect(await everything(db)).toEqual(before);
    await authenticateApiKey(db, ada.apiKey);
  });

  it("never leaves an agent without anyone to manage it when an agent is created meanwhile", async () => {
    for (let round = 0; round < 5; round += 1) {
      const ada = await createUser(db, "Ada");
      const [deletion, creation] = await Promise.allSettled([
        deleteUser(db, ada.uid),
        createAgent(db, { uid: ada.uid, name: "raced" }),
      ]);
      // Exactly one wins: the user goes and the agent is never made, or the agent is made and the user stays.
      expect([deletion.status, creation.status].sort()).toEqual(["fulfilled", "rejected"]);
      const orphans = await db.agent.count({ where: { organization: { memberships: { none: {} } } } });
      expect(orphans).toBe(0);
    }
  });
});

describe("odd input", () => {
  it("reports an id that cannot exist like a missing one, without a query", async () => {
    const ada = await createUser(db, "Ada");
    const { orgId } = await createOrganization(db, "Acme");
    const { keyId } = await createApiKey(db, { uid: ada.uid, readOnly: false });
    // Each command, and how many queries it makes before it reaches the id under test (the user, looked up
    // first, for an organization).
    const commands: [string, (id: string) => Promise<unknown>, string, number][] = [
      ["agent create --uid", (uid) => createAgent(quiet, { uid, name: "x" }), ada.uid, 0],
      ["key create --uid", (uid) => createApiKey(quiet, { uid, readOnly: false }), ada.uid, 0],
      ["key list --uid", (uid) => listApiKeys(quiet, uid), ada.uid, 0],
      ["org add-member --uid", (uid) => addOrganizationMember(quiet, { orgId, uid }), ada.uid, 0],
      ["org add-member --org", (org) => addOrganizationMember(quiet, { orgId: org, uid: ada.uid }), orgId, 1],
      ["agent create --org", (org) => createAgent(quiet, { uid: ada.uid, name: "x", orgId: org }), orgId, 1],
      ["key revoke --key-id", (key) => revokeApiKey(quiet, key), keyId, 0],
    ];
    for (const [name, command, realId, before] of commands) {
      // A missing id of the right shape is looked up: the count can see that query.
      const missingId = newId(realId.slice(0, 3) as "usr" | "org" | "key");
      const lookedUp = await queriesDuring(quiet, () =>
        expect(command(missingId)).rejects.toThrow(missingId),
      );
      expect(lookedUp, name).toBeGreaterThan(before);
      for (const [label, id] of impossibleIdsLike(realId)) {
        const queries = await queriesDuring(quiet, () =>
          expect(command(id), `${name} with ${label}`).rejects.toBeInstanceOf(NotFoundError),
        );
        expect(queries, `${name} with ${label}`).toBe(before);
      }
    }
    await expect(createAgent(db, { uid: ada.uid, name: "x", orgId: `${orgId}0` })).rejects.toThrow(
      `No organization with id ${orgId}0`,
    );
  });

  it("refuses a name that is empty, too long, or holds control characters or lone surrogates", async () => {
    const ada = await createUser(db, "Ada");
    const cases: [string, string][] = [
      ["", "name must not be empty"],
      ["x".repeat(201), "name must be at most 200 characters"],
      ["a\u0000b", "name must not contain control characters or unpaired surrogates"],
      ["line\nbreak", "name must not contain control characters or unpaired surrogates"],
      ["\ud800", "name must not contain control characters or unpaired surrogates"],
    ];
    for (const [name, message] of cases) {
      for (const create of [
        () => createUser(quiet, name),
        () => createOrganization(quiet, name),
        () => createAgent(quiet, { uid: ada.uid, name }),
      ]) {
        const queries = await queriesDuring(quiet, () =>
          expect(create()).rejects.toEqual(new InvalidRequestError(message)),
        );
        expect(queries, JSON.stringify(name)).toBe(0);
      }
    }
    await expect(createUser(db, "Zoë 😀 O'Brien")).resolves.toMatchObject({ uid: expect.any(String) });
  });
});
