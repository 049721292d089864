// The REST wrapper and the tRPC middleware fill in the request's record; here against a real database.
import { blockListMutationSchema, blockListQuerySchema, FailureReason } from "@blocklist/core";
import { configurePrismaClient, disconnectPrismaClient } from "@blocklist/db";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, describe, expect, it } from "vitest";
import { addBlockedNumbers, listBlockedNumbers } from "../blockList";
import { displayPrefix } from "../keys";
import { parseJsonBody, parseQuery, restHandler } from "../rest";
import { createTenant } from "../testing/fixtures";
import { createTrpcContext } from "../trpc/context";
import { appRouter } from "../trpc/root";
import { newObservation, noteApiKey, type RequestObservation, runWithObservation } from "./context";

const { prisma: db, url } = await testDatabaseForFile();
// restHandler uses the process's client, as route handlers do.
configurePrismaClient({ connectionString: url });
afterAll(() => disconnectPrismaClient());
const alice = await createTenant(db, "alice");

const post = restHandler(async (request, { db, caller }) =>
  addBlockedNumbers(db, caller, await parseJsonBody(blockListMutationSchema, request)),
);
const get = restHandler(async (request, { db, caller }) =>
  listBlockedNumbers(db, caller, parseQuery(blockListQuerySchema, request)),
);

async function observe(
  path: string,
  handle: (request: Request) => Promise<Response>,
  init: RequestInit = {},
): Promise<{ observation: RequestObservation; response: Response }> {
  const request = new Request(`http://localhost${path}`, init);
  const observation = newObservation("req-1", request.method, path.split("?")[0] ?? path);
  const response = await runWithObservation(observation, () => handle(request));
  return { observation, response };
}

describe("the REST wrapper", () => {
  it("notes route, key and the numbers sent, added and failed", async () => {
    const numbers = ["+14155552671", "+1 415 555 2671", "+14155552672", "not a number"];
    const { observation, response } = await observe("/api/agent-block-list", post, {
      method: "POST",
      headers: { "X-Authorization": alice.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ uid: alice.uid, agentId: alice.agentId, numbers }),
    });
    expect(response.status).toBe(200);
    expect(observation).toEqual({
      requestId: "req-1",
      method: "POST",
      path: "/api/agent-block-list",
      route: "/api/agent-block-list",
      procedures: [],
      keyId: alice.caller.keyId,
      keyPrefix: displayPrefix(alice.apiKey),
      bulk: [
        {
          operation: "add",
          sent: 4,
          changed: 2,
          failedByReason: { [FailureReason.duplicateInRequest]: 1, [FailureReason.invalidFormat]: 1 },
        },
      ],
      checks: [],
    });
  });

  it("notes the prefix of a well-formed key that is refused, and nothing of anything else", async () => {
    const unknownKey = "bl_0000000000000000000000000000000Z";
    const refused = await observe(`/api/agent-block-list?uid=${alice.uid}&agentId=${alice.agentId}`, get, {
      headers: { "X-Authorization": unknownKey },
    });
    expect(refused.response.status).toBe(401);
    expect(refused.observation).toMatchObject({ keyPrefix: "bl_000000", bulk: [] });
    expect(refused.observation.keyId).toBeUndefined();

    const pasted = await observe(`/api/agent-block-list?uid=${alice.uid}&agentId=${alice.agentId}`, get, {
      headers: { "X-Authorization": "Bearer some-other-secret" },
    });
    expect(pasted.observation.keyPrefix).toBeUndefined();
  });
});

describe("the tRPC middleware", () => {
  const trpc = (request: Request) =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: createTrpcContext,
    });

  it("notes each procedure of a batch, its key and every check outcome", async () => {
    await db.blockedNumber.create({ data: { agentId: alice.agentId, e164: "+14155550100" } });
    const input = {
      0: { agentId: alice.agentId, number: "+1 415 555 0100" },
      1: { agentId: alice.agentId, number: "+14155550199" },
      2: { agentId: alice.agentId, number: "withheld" },
    };
    const path = `/api/trpc/blockList.check,blockList.check,blockList.check`;
    const { observation, response } = await observe(
      `${path}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`,
      trpc,
      { headers: { "X-Authorization": alice.apiKey } },
    );
    expect(response.status).toBe(200);
    expect(observation).toMatchObject({
      procedures: ["blockList.check", "blockList.check", "blockList.check"],
      keyId: alice.caller.keyId,
      keyPrefix: displayPrefix(alice.apiKey),
    });
    // The calls of a batch run concurrently: their outcomes arrive in any order.
    expect(observation.checks.map((check) => String(check.blocked)).sort()).toEqual([
      "false",
      "null",
      "true",
    ]);
  });

  it("notes removals", async () => {
    const { observation } = await observe("/api/trpc/blockList.remove", trpc, {
      method: "POST",
      headers: { "X-Authorization": alice.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ agentId: alice.agentId, numbers: ["+14155550100", "+14155550177"] }),
    });
    expect(observation.bulk).toEqual([
      { operation: "remove", sent: 2, changed: 1, failedByReason: { [FailureReason.notFound]: 1 } },
    ]);
  });
});

describe("outside a request", () => {
  it("does nothing", () => {
    expect(() => noteApiKey(alice.apiKey, "key_x")).not.toThrow();
  });
});
