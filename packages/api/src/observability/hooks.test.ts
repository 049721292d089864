// The tRPC middleware fills in the request's record; here against a real database.
import { FailureReason } from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { displayPrefix } from "../keys";
import { createTenant } from "../testing/fixtures";
import { createTrpcContext } from "../trpc/context";
import { appRouter } from "../trpc/root";
import { newObservation, noteApiKey, type RequestObservation, runWithObservation } from "./context";

const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");

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

describe("the tRPC middleware", () => {
  const trpc = (request: Request) =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: (options) => createTrpcContext(options, { db, rateLimiter: undefined }),
    });

  it("notes each procedure of a batch, its key and every check outcome", async () => {
    await db.entry.create({ data: { orgId: alice.orgId, agentId: alice.agentId, value: "+14155550100" } });
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
