// The exported typed client (`@blocklist/api/client`) as another service uses it: the global fetch, over a
// socket, against the production server (whose check path is served in front of Next.js, the rest by Next).
import { createBlockListClient } from "@blocklist/api/client";
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage, FailureReason, SUCCESS_MESSAGE } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { serverForFile } from "./server";

const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");
const url = `${server.url}/api/trpc`;
const agentId = alice.agentId;

/** What a refused call rejects with, as a caller reads it: the message and the tRPC code with its status. */
async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  const { message, data } = error as { message?: string; data?: { code?: string; httpStatus?: number } };
  return { message, code: data?.code, httpStatus: data?.httpStatus };
}

describe("createBlockListClient against the running server", () => {
  it("lists, adds, checks and removes with a read-write key, calls made together included", async () => {
    const client = createBlockListClient({ url, apiKey: alice.apiKey });
    expect(await client.organizations.list.query()).toEqual({
      organizations: [{ id: alice.orgId, name: "alice", agents: [{ id: agentId, name: "alice agent" }] }],
    });

    expect(await client.blockList.add.mutate({ agentId, numbers: ["+1 650 253 0000", "nope"] })).toEqual({
      message: SUCCESS_MESSAGE,
      added: ["+16502530000"],
      failed: [{ number: "nope", reason: FailureReason.invalidFormat }],
    });
    // Made in the same tick: the client's batch link may send them in one request; each gets its own answer.
    const [listed, blocked, free] = await Promise.all([
      client.blockList.list.query({ agentId }),
      client.blockList.check.query({ agentId, number: "+1 (650) 253-0000" }),
      client.blockList.check.query({ agentId, number: "+14155552671" }),
    ]);
    expect({ listed, blocked, free }).toEqual({
      listed: { blockList: ["+16502530000"], count: 1 },
      blocked: {
        blocked: true,
        e164: "+16502530000",
        entry: {
          id: expect.stringMatching(/^ent_/),
          orgId: alice.orgId,
          agentId,
          match: "number",
          value: "+16502530000",
          action: "block",
          direction: "inbound",
          reason: null,
          note: null,
        },
      },
      free: { blocked: false, e164: "+14155552671", entry: null },
    });

    expect(await client.blockList.remove.mutate({ agentId, numbers: ["+16502530000"] })).toEqual({
      message: SUCCESS_MESSAGE,
      removed: ["+16502530000"],
      failed: [],
    });
    expect(await client.blockList.check.query({ agentId, number: "+16502530000" })).toEqual({
      blocked: false,
      e164: "+16502530000",
      entry: null,
    });
  });

  it("rejects what a key may not do with the service's tRPC error", async () => {
    const readOnly = createBlockListClient({ url, apiKey: alice.readOnlyKey });
    expect(await readOnly.blockList.check.query({ agentId, number: "+16502530000" })).toEqual({
      blocked: false,
      e164: "+16502530000",
      entry: null,
    });
    expect(await refusal(readOnly.blockList.add.mutate({ agentId, numbers: ["+16502530000"] }))).toEqual({
      message: ErrorMessage.insufficientPermissions,
      code: "FORBIDDEN",
      httpStatus: 403,
    });

    const unknownKey = createBlockListClient({ url, apiKey: "bl_0000000000000000000000000000000" });
    expect(await refusal(unknownKey.blockList.check.query({ agentId, number: "+16502530000" }))).toEqual({
      message: ErrorMessage.invalidKey,
      code: "UNAUTHORIZED",
      httpStatus: 401,
    });
  });
});
