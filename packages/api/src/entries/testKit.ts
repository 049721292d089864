// What the entries service tests share: a tenant's lists, creating entries through the service, and the shape
// every created entry has.
import type { EntryVia } from "@blocklist/core";
import type { PrismaClient } from "@blocklist/db";
import { expect } from "vitest";
import { createAgent } from "../admin/agents";
import type { Tenant } from "../testing/fixtures";
import { createEntries } from "./change";

/** A list of `tenant` as a request names it: an agent's own, or the organization's. */
export type ListName = { agentId: string } | { orgId: string };

/** A new agent of the tenant's organization, with an empty list. */
export async function freshAgent(db: PrismaClient, tenant: Tenant): Promise<string> {
  return (await createAgent(db, { uid: tenant.uid, name: "entries" })).agentId;
}

/** Creates `entries` on the list as the tenant's read-write key; every one must be created. */
export async function created(
  db: PrismaClient,
  tenant: Tenant,
  list: ListName,
  entries: Record<string, unknown>[],
  via: EntryVia = "rest",
) {
  const answer = await createEntries(db, tenant.caller, { uid: tenant.uid, ...list, entries }, via);
  expect(answer.failed).toEqual([]);
  return answer.created;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The visible prefix of the tenant's read-write key, as `createdBy.keyPrefix` shows it. */
export async function keyPrefixOf(db: PrismaClient, tenant: Tenant): Promise<string> {
  const key = await db.apiKey.findUniqueOrThrow({
    where: { id: tenant.caller.keyId },
    select: { prefix: true },
  });
  return key.prefix;
}

/** An entry as the service answers it, right after the tenant's read-write key created it through `via`. */
export function newEntryShape(
  tenant: Tenant,
  keyPrefix: string,
  fields: Record<string, unknown> & { orgId: string; agentId: string | null },
  via: EntryVia = "rest",
) {
  return {
    id: expect.stringMatching(/^ent_[0-9A-Za-z]{20}$/),
    value: null,
    action: "block",
    direction: "inbound",
    reason: null,
    note: null,
    expiresAt: null,
    createdAt: expect.stringMatching(ISO),
    createdBy: { userId: tenant.uid, keyPrefix, via },
    hits: 0,
    lastHitAt: null,
    ...fields,
  };
}
