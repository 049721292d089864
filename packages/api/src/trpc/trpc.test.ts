import { ErrorMessage, FailureReason, SUCCESS_MESSAGE } from "@blocklist/core";
import { createTestDatabase, testDatabaseForFile } from "@blocklist/db/testing";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { createAgent } from "../admin/agents";
import { revokeApiKey } from "../admin/keys";
import { createTenant, type Tenant } from "../testing/fixtures";
import { createTrpcContext, type TrpcContext } from "./context";
import { appRouter, createCaller } from "./root";

const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

function context(
  credentials: { apiKey?: string; sessionKey?: string } = {},
): TrpcContext & { resHeaders: Headers } {
  return {
    db,
    apiKey: credentials.apiKey ?? null,
    sessionKey: credentials.sessionKey ?? null,
    resHeaders: new Headers(),
    secure: false,
  };
}
const as = (apiKey: string) => createCaller(context({ apiKey }));

async function newAgent(tenant: Tenant): Promise<string> {
  return (await createAgent(db, { uid: tenant.uid, name: "agent" })).agentId;
}

/** The tRPC error a call fails with, for whole-value assertions. */
async function failure(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

/** Serves the router in-process through tRPC's fetch adapter, with the server's context rules. */
const serve = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: (options) => createTrpcContext(options, db),
  });

describe("blockList procedures", () => {
  it("add, list, remove with the same reasons as REST", async () => {
    const agentId = await newAgent(alice);
    const caller = as(alice.apiKey);
    await caller.blockList.add({ agentId, numbers: ["+14155552671"] });

    expect(
      await caller.blockList.add({
        agentId,
        numbers: ["+44 20 7946 0958", "+1 (415) 555-2671", "nope", "+442079460958"],
      }),
    ).toEqual({
      message: SUCCESS_MESSAGE,
      added: ["+442079460958"],
      failed: [
        { number: "+1 (415) 555-2671", reason: FailureReason.alreadyBlocked },
        { number: "nope", reason: FailureReason.invalidFormat },
        { number: "+442079460958", reason: FailureReason.duplicateInRequest },
      ],
    });
    expect(
      await caller.blockList.remove({ agentId, numbers: ["+14155552671", "+33142685300", "+14155552671"] }),
    ).toEqual({
      message: SUCCESS_MESSAGE,
      removed: ["+14155552671"],
      failed: [
        { number: "+33142685300", reason: FailureReason.notFound },
        { number: "+14155552671", reason: FailureReason.duplicateInRequest },
      ],
    });
    expect(await caller.blockList.list({ agentId })).toEqual({ blockList: ["+442079460958"], count: 1 });
  });

  it("searches by digits and pages through the matches", async () => {
    const agentId = await newAgent(alice);
    const numbers = Array.from({ length: 12 }, (_, i) => `+1415555${String(7000 + i)}`);
    await as(alice.apiKey).blockList.add({ agentId, numbers: [...numbers, "+442079460958"] });

    const first = await as(alice.apiKey).blockList.list({ agentId, search: "555-700", limit: 5 });
    expect(first).toEqual({
      blockList: numbers.slice(0, 5),
      count: 13,
      matching: 10,
      nextCursor: expect.any(String),
    });
    const second = await as(alice.apiKey).blockList.list({
      agentId,
      search: "555700",
      limit: 5,
      cursor: first.nextCursor,
    });
    expect(second).toEqual({ blockList: numbers.slice(5, 10), count: 13, matching: 10 });
    expect(await as(alice.apiKey).blockList.list({ agentId, search: "4420" })).toEqual({
      blockList: ["+442079460958"],
      count: 13,
      matching: 1,
    });
  });

  it("check answers before and after add and remove, for formatted input too", async () => {
    const agentId = await newAgent(alice);
    const caller = as(alice.apiKey);
    const check = (number: string) => caller.blockList.check({ agentId, number });

    expect(await check("+1 (415) 555-2671")).toEqual({ blocked: false, e164: "+14155552671" });
    await caller.blockList.add({ agentId, numbers: ["+14155552671"] });
    expect(await check("+1 (415) 555-2671")).toEqual({ blocked: true, e164: "+14155552671" });
    expect(await as(alice.readOnlyKey).blockList.check({ agentId, number: "+14155552671" })).toEqual({
      blocked: true,
      e164: "+14155552671",
    });
    await caller.blockList.remove({ agentId, numbers: ["+14155552671"] });
    expect(await check("+14155552671")).toEqual({ blocked: false, e164: "+14155552671" });
    expect(await check("anonymous")).toEqual({ blocked: false, e164: null });
  });

  it("lets read-only keys list and check but not change", async () => {
    const readOnly = as(alice.readOnlyKey);
    const forbidden = { code: "FORBIDDEN", message: ErrorMessage.insufficientPermissions };
    expect(await readOnly.blockList.list({ agentId: alice.agentId })).toMatchObject({
      count: expect.any(Number),
    });
    expect(
      await failure(readOnly.blockList.add({ agentId: alice.agentId, numbers: ["+14155552671"] })),
    ).toEqual(forbidden);
    expect(
      await failure(readOnly.blockList.remove({ agentId: alice.agentId, numbers: ["+14155552671"] })),
    ).toEqual(forbidden);
  });

  it("refuses another customer's agent exactly like a missing one, and changes nothing", async () => {
    await as(bob.apiKey).blockList.add({ agentId: bob.agentId, numbers: ["+14155550123"] });
    const caller = as(alice.apiKey);
    const forbidden = { code: "FORBIDDEN", message: ErrorMessage.insufficientPermissions };
    for (const agentId of [bob.agentId, "agt_doesnotexist00000"]) {
      expect(await failure(caller.blockList.list({ agentId }))).toEqual(forbidden);
      expect(await failure(caller.blockList.check({ agentId, number: "+14155550123" }))).toEqual(forbidden);
      expect(await failure(caller.blockList.add({ agentId, numbers: ["+14155550124"] }))).toEqual(forbidden);
      expect(await failure(caller.blockList.remove({ agentId, numbers: ["+14155550123"] }))).toEqual(
        forbidden,
      );
    }
    expect(await as(bob.apiKey).blockList.list({ agentId: bob.agentId })).toEqual({
      blockList: ["+14155550123"],
      count: 1,
    });
  });

  it("refuses callers without a valid key, and a key the moment it is revoked", async () => {
    const unauthorized = { code: "UNAUTHORIZED", message: ErrorMessage.invalidKey };
    expect(await failure(createCaller(context()).organizations.list())).toEqual(unauthorized);
    expect(await failure(as("bl_notakey").blockList.list({ agentId: alice.agentId }))).toEqual(unauthorized);

    const tenant = await createTenant(db, "soon revoked");
    expect(
      await as(tenant.apiKey).blockList.check({ agentId: tenant.agentId, number: "+14155552671" }),
    ).toEqual({
      blocked: false,
      e164: "+14155552671",
    });
    await revokeApiKey(db, tenant.caller.keyId);
    expect(
      await failure(as(tenant.apiKey).blockList.check({ agentId: tenant.agentId, number: "+14155552671" })),
    ).toEqual(unauthorized);
  });

  it("answers bad input with BAD_REQUEST and the zod issues", async () => {
    const response = await serve(
      new Request("http://localhost/api/trpc/blockList.add", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Authorization": alice.apiKey },
        body: JSON.stringify({ agentId: alice.agentId, numbers: [] }),
      }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { data: unknown } };
    expect(body.error.data).toEqual({
      code: "BAD_REQUEST",
      httpStatus: 400,
      issues: [{ path: "numbers", message: "numbers must contain at least 1 entry" }],
    });
  });

  it("answers a database failure as an internal error without internals", async () => {
    const local = await createTestDatabase();
    try {
      const tenant = await createTenant(local.prisma, "broken");
      await local.prisma.$executeRawUnsafe("DROP TABLE blocked_numbers");
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(
          `http://localhost/api/trpc/blockList.list?input=${encodeURIComponent(JSON.stringify({ agentId: tenant.agentId }))}`,
          { headers: { "X-Authorization": tenant.apiKey } },
        ),
        router: appRouter,
        createContext: (options) => createTrpcContext(options, local.prisma),
      });
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(JSON.parse(text).error).toEqual({
        message: ErrorMessage.internal,
        code: -32603,
        data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 },
      });
      expect(text).not.toMatch(/blocked_numbers|prisma|stack|at /i);
    } finally {
      await local.drop();
    }
  });
});

describe("organizations and agents", () => {
  it("list what the caller's user may manage", async () => {
    expect(await as(alice.readOnlyKey).organizations.list()).toEqual({
      organizations: [
        {
          id: alice.orgId,
          name: "alice",
          agents: expect.arrayContaining([{ id: alice.agentId, name: "alice agent" }]),
        },
      ],
    });
    const { agents } = await as(bob.apiKey).agents.list();
    expect(agents).toEqual([{ id: bob.agentId, name: "bob agent", orgId: bob.orgId, orgName: "bob" }]);
  });
});

describe("session", () => {
  it("signs in with a key into an httpOnly, SameSite=Strict cookie, and out again", async () => {
    const signingIn = context();
    const user = await createCaller(signingIn).session.signIn({ apiKey: alice.readOnlyKey });
    expect(user).toEqual({ uid: alice.uid, readOnly: true, keyPrefix: alice.readOnlyKey.slice(0, 9) });
    const cookie = signingIn.resHeaders.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^bl_session=bl_\w+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);

    const sessionKey = decodeURIComponent(cookie.split(";")[0]?.split("=")[1] ?? "");
    const session = createCaller(context({ sessionKey }));
    expect(await session.session.me()).toEqual(user);
    expect(await session.organizations.list()).toMatchObject({ organizations: [{ id: alice.orgId }] });

    const signingOut = context({ sessionKey });
    expect(await createCaller(signingOut).session.signOut()).toEqual({ signedOut: true });
    expect(signingOut.resHeaders.get("set-cookie")).toMatch(
      /^bl_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(await createCaller(context()).session.me()).toBeNull();
  });

  it("marks the cookie Secure over HTTPS and refuses a wrong key without setting one", async () => {
    const response = await serve(
      new Request("https://blocklist.example/api/trpc/session.signIn", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ apiKey: alice.apiKey }),
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(/; Secure/);

    const signingIn = context();
    expect(await failure(createCaller(signingIn).session.signIn({ apiKey: "bl_wrong" }))).toEqual({
      code: "UNAUTHORIZED",
      message: ErrorMessage.invalidKey,
    });
    expect(signingIn.resHeaders.get("set-cookie")).toBeNull();
  });

  it("ends a session whose key is revoked", async () => {
    const tenant = await createTenant(db, "revoked session");
    const session = createCaller(context({ sessionKey: tenant.apiKey }));
    expect(await session.session.me()).toMatchObject({ uid: tenant.uid });
    await revokeApiKey(db, tenant.caller.keyId);
    expect(await session.session.me()).toBeNull();
    expect(await failure(session.organizations.list())).toEqual({
      code: "UNAUTHORIZED",
      message: ErrorMessage.invalidKey,
    });
  });
});
