import { createPrismaClient } from "@blocklist/db";
import { queriesDuring, testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { authenticateApiKey } from "../auth";
import { InvalidRequestError, NotFoundError } from "../errors";
import { newId } from "../ids";
import { listOrganizations } from "../organizations";
import { impossibleIdsLike } from "../testing/fixtures";
import { createAgent } from "./agents";
import { createApiKey, listApiKeys, revokeApiKey } from "./keys";
import { addOrganizationMember, createOrganization } from "./organizations";
import { createUser } from "./users";

const { prisma: db, url } = await testDatabaseForFile();
// A client nothing else uses, so that counting its queries counts only the call under test.
const quiet = createPrismaClient(url);
afterAll(() => quiet.$disconnect());

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
      },
      {
        keyId: readOnly.keyId,
        prefix: readOnly.apiKey.slice(0, 9),
        readOnly: true,
        revoked: true,
        createdAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(keys)).not.toContain(readOnly.apiKey);
  });

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
