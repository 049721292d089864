import type { PrismaClient } from "@blocklist/db";
import { createAgent } from "../admin/agents";
import { createApiKey } from "../admin/keys";
import { createUser } from "../admin/users";
import { authenticateApiKey, type Caller } from "../auth";

export interface Tenant {
  uid: string;
  orgId: string;
  agentId: string;
  apiKey: string;
  caller: Caller;
  readOnlyKey: string;
  readOnlyCaller: Caller;
}

/** A user with a personal organization, one agent, a read-write and a read-only key: one customer. */
export async function createTenant(db: PrismaClient, name = "tenant"): Promise<Tenant> {
  const { uid, orgId, apiKey } = await createUser(db, name);
  const { agentId } = await createAgent(db, { uid, name: `${name} agent` });
  const { apiKey: readOnlyKey } = await createApiKey(db, { uid, readOnly: true });
  return {
    uid,
    orgId,
    agentId,
    apiKey,
    caller: await authenticateApiKey(db, apiKey),
    readOnlyKey,
    readOnlyCaller: await authenticateApiKey(db, readOnlyKey),
  };
}
