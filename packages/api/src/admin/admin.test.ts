import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";
import { authenticateApiKey } from "../auth";
import { NotFoundError } from "../errors";
import { listOrganizations } from "../organizations";
import { createAgent } from "./agents";
import { createApiKey, listApiKeys, revokeApiKey } from "./keys";
import { addOrganizationMember, createOrganization } from "./organizations";
import { createUser } from "./users";

const { prisma: db } = await testDatabaseForFile();

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
});
