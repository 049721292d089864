import { ErrorMessage, FailureReason, INVALID_CURSOR_ISSUE, SUCCESS_MESSAGE } from "@blocklist/core";
import { createPrismaClient } from "@blocklist/db";
import { createTestDatabase, queriesDuring, testDatabaseForFile } from "@blocklist/db/testing";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, describe, expect, it } from "vitest";
import { createAgent } from "../admin/agents";
import { revokeApiKey } from "../admin/keys";
import { hashSecret, newId } from "../ids";
import type { SessionSettings } from "../sessions";
import { createTenant, impossibleIdsLike, type Tenant, trpcTestContext } from "../testing/fixtures";
import { createTrpcContext } from "./context";
import { appRouter, createCaller } from "./root";

const { prisma: db, url: databaseUrl } = await testDatabaseForFile();
// A client nothing else uses, so that counting its queries counts only the call under test.
const quiet = createPrismaClient(databaseUrl);
afterAll(() => quiet.$disconnect());
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

const context = (request: Parameters<typeof trpcTestContext>[1] = {}) => trpcTestContext(db, request);
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
    createContext: (options) => createTrpcContext(options, { db, rateLimiter: undefined }),
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

    const allowed = { blocked: false, e164: "+14155552671", entry: null };
    expect(await check("+1 (415) 555-2671")).toEqual(allowed);
    await caller.blockList.add({ agentId, numbers: ["+14155552671"] });
    const blocked = {
      blocked: true,
      e164: "+14155552671",
      entry: {
        id: expect.stringMatching(/^ent_[0-9A-Za-z]{20}$/),
        orgId: alice.orgId,
        agentId,
        match: "number",
        value: "+14155552671",
        action: "block",
        direction: "inbound",
        reason: null,
        note: null,
      },
    };
    expect(await check("+1 (415) 555-2671")).toEqual(blocked);
    expect(await as(alice.readOnlyKey).blockList.check({ agentId, number: "+14155552671" })).toEqual(blocked);
    // The block is inbound: the agent may still call the number.
    expect(await caller.blockList.check({ agentId, number: "+14155552671", direction: "outbound" })).toEqual(
      allowed,
    );
    await caller.blockList.remove({ agentId, numbers: ["+14155552671"] });
    expect(await check("+14155552671")).toEqual(allowed);
    expect(await check("anonymous")).toEqual({ blocked: false, e164: null, entry: null });
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
    ).toEqual({ blocked: false, e164: "+14155552671", entry: null });
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
      await local.prisma.$executeRawUnsafe("DROP TABLE entries");
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(
          `http://localhost/api/trpc/blockList.list?input=${encodeURIComponent(JSON.stringify({ agentId: tenant.agentId }))}`,
          { headers: { "X-Authorization": tenant.apiKey } },
        ),
        router: appRouter,
        createContext: (options) => createTrpcContext(options, { db: local.prisma, rateLimiter: undefined }),
      });
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(JSON.parse(text).error).toEqual({
        message: ErrorMessage.internal,
        code: -32603,
        data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 },
      });
      expect(text).not.toMatch(/"entries"|relation|prisma|stack|at /i);
    } finally {
      await local.drop();
    }
  });
});

describe("ids and cursors the service never made", () => {
  const forbidden = { code: "FORBIDDEN", message: ErrorMessage.insufficientPermissions };
  const everyCall = (caller: ReturnType<typeof as>) => ({
    list: (agentId: string) => caller.blockList.list({ agentId }),
    check: (agentId: string) => caller.blockList.check({ agentId, number: "+14155552671" }),
    add: (agentId: string) => caller.blockList.add({ agentId, numbers: ["+14155552671"] }),
    remove: (agentId: string) => caller.blockList.remove({ agentId, numbers: ["+14155552671"] }),
  });

  it("answer an agent id that cannot exist exactly like a missing agent", async () => {
    const calls = everyCall(as(alice.apiKey));
    const ids: [string, string][] = [["missing", newId("agt")], ...impossibleIdsLike(alice.agentId)];
    for (const [label, agentId] of ids) {
      for (const [name, call] of Object.entries(calls)) {
        expect(await failure(call(agentId)), `${name}, ${label}`).toEqual(forbidden);
      }
    }
  });

  it("answer it over HTTP with the body of a missing agent, a NUL and a lone surrogate included", async () => {
    const answerTo = async (agentId: string) => {
      const input = encodeURIComponent(JSON.stringify({ agentId, number: "+14155552671" }));
      const response = await serve(
        new Request(`http://localhost/api/trpc/blockList.check?input=${input}`, {
          headers: { "X-Authorization": alice.apiKey },
        }),
      );
      return { status: response.status, body: await response.json() };
    };
    const missing = await answerTo(newId("agt"));
    expect(missing).toEqual({
      status: 403,
      body: {
        error: { message: ErrorMessage.insufficientPermissions, code: -32003, data: expect.anything() },
      },
    });
    for (const [label, agentId] of impossibleIdsLike(alice.agentId)) {
      expect(await answerTo(agentId), label).toEqual(missing);
    }
  });

  it("ask the database nothing about such an id: no more queries than a call refused for its input", async () => {
    const tenant = await createTenant(db, "counted");
    const caller = createCaller({ ...context({ apiKey: tenant.apiKey }), db: quiet });
    const refusedInput = () => failure(caller.blockList.list({ agentId: "" }));
    // A key's first use records lastUsedAt in the background: let it land before counting.
    await refusedInput();
    await expect
      .poll(async () => {
        const key = await db.apiKey.findUnique({
          where: { id: tenant.caller.keyId },
          select: { lastUsedAt: true },
        });
        return key?.lastUsedAt;
      })
      .toBeInstanceOf(Date);

    const authenticationOnly = await queriesDuring(quiet, refusedInput);
    const calls = everyCall(caller);
    for (const [name, call] of Object.entries(calls)) {
      const missing = await queriesDuring(quiet, () => failure(call(newId("agt"))));
      expect(missing, `${name} looks a missing agent up`).toBeGreaterThan(authenticationOnly);
      for (const [label, agentId] of impossibleIdsLike(tenant.agentId)) {
        expect(await queriesDuring(quiet, () => failure(call(agentId))), `${name}, ${label}`).toBe(
          authenticationOnly,
        );
      }
    }
  });

  it("refuse a cursor of another list, an edited one and one of an earlier release as BAD_REQUEST", async () => {
    const caller = as(alice.apiKey);
    const agentId = await newAgent(alice);
    const otherAgentId = await newAgent(alice);
    await caller.blockList.add({ agentId, numbers: ["+14155550001", "+14155550002"] });
    const { nextCursor = "" } = await caller.blockList.list({ agentId, limit: 1 });
    expect(await caller.blockList.list({ agentId, limit: 1, cursor: nextCursor })).toEqual({
      blockList: ["+14155550002"],
      count: 2,
    });

    const edited = `${nextCursor.slice(0, 20)}${nextCursor[20] === "A" ? "B" : "A"}${nextCursor.slice(21)}`;
    for (const [label, list] of [
      ["another agent's list", { agentId: otherAgentId, cursor: nextCursor }],
      ["an edited cursor", { agentId, cursor: edited }],
      ["a cursor cut short", { agentId, cursor: nextCursor.slice(0, -2) }],
      ["an id above bigint", { agentId, cursor: Buffer.from("n:9999999999999999999").toString("base64url") }],
    ] as const) {
      const response = await serve(
        new Request(
          `http://localhost/api/trpc/blockList.list?input=${encodeURIComponent(JSON.stringify({ ...list, limit: 1 }))}`,
          { headers: { "X-Authorization": alice.apiKey } },
        ),
      );
      expect({ status: response.status, body: await response.json() }, label).toEqual({
        status: 400,
        body: {
          error: {
            message: ErrorMessage.invalidQuery,
            code: -32600,
            data: { code: "BAD_REQUEST", httpStatus: 400, issues: [INVALID_CURSOR_ISSUE] },
          },
        },
      });
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
  /** Signs in through the procedure; the session id the cookie holds. */
  async function signIn(apiKey: string, sessions?: SessionSettings): Promise<string> {
    const signingIn = context(sessions ? { sessions } : {});
    await createCaller(signingIn).session.signIn({ apiKey });
    return sessionIdOf(signingIn.resHeaders.get("set-cookie"));
  }
  const sessionIdOf = (cookie: string | null) =>
    decodeURIComponent(/^bl_session=([^;]*)/.exec(cookie ?? "")?.[1] ?? "");
  const unauthorized = { code: "UNAUTHORIZED", message: ErrorMessage.invalidKey };

  it("signs in into an httpOnly, SameSite=Strict cookie holding a session id, never the key, and out again", async () => {
    const signingIn = context();
    const user = await createCaller(signingIn).session.signIn({ apiKey: alice.readOnlyKey });
    expect(user).toEqual({ uid: alice.uid, readOnly: true, keyPrefix: alice.readOnlyKey.slice(0, 9) });
    const cookie = signingIn.resHeaders.get("set-cookie") ?? "";
    // Max-Age: SESSION_MAX_HOURS (168) in seconds.
    expect(cookie).toMatch(
      /^bl_session=ses_[0-9A-Za-z]{32}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(cookie).not.toContain(alice.readOnlyKey);
    expect(cookie).not.toContain(alice.readOnlyKey.slice(3));

    const sessionId = sessionIdOf(cookie);
    const session = createCaller(context({ sessionId }));
    expect(await session.session.me()).toEqual(user);
    expect(await session.organizations.list()).toMatchObject({ organizations: [{ id: alice.orgId }] });

    const signingOut = context({ sessionId });
    expect(await createCaller(signingOut).session.signOut()).toEqual({ signedOut: true });
    expect(signingOut.resHeaders.get("set-cookie")).toMatch(
      /^bl_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    // A copy of the cookie kept from before is refused: the session itself ended.
    expect(await session.session.me()).toBeNull();
    expect(await failure(session.organizations.list())).toEqual(unauthorized);
    expect(await createCaller(context()).session.me()).toBeNull();
  });

  it("stores only the hash of the session id, bound to the key it was opened with", async () => {
    const tenant = await createTenant(db, "stored session");
    const sessionId = await signIn(tenant.apiKey);
    expect(
      await db.session.findMany({ where: { keyId: tenant.caller.keyId }, select: { hash: true } }),
    ).toEqual([{ hash: hashSecret(sessionId) }]);
  });

  it("refuses an API key in the cookie, and a session id as X-Authorization", async () => {
    const sessionId = await signIn(alice.apiKey);
    const keyInCookie = createCaller(context({ sessionId: alice.apiKey }));
    expect(await keyInCookie.session.me()).toBeNull();
    expect(await failure(keyInCookie.organizations.list())).toEqual(unauthorized);
    expect(await failure(as(sessionId).organizations.list())).toEqual(unauthorized);
    expect(
      await failure(as(sessionId).blockList.check({ agentId: alice.agentId, number: "+14155552671" })),
    ).toEqual(unauthorized);
    // The session itself still works.
    expect(await createCaller(context({ sessionId })).session.me()).toMatchObject({ uid: alice.uid });
  });

  it("refuses a forged or unknown session id", async () => {
    const sessionId = await signIn(alice.apiKey);
    const forged = [
      `ses_${"A".repeat(32)}`,
      `${sessionId.slice(0, -1)}${sessionId.endsWith("a") ? "b" : "a"}`,
      sessionId.slice(0, -1),
      `${sessionId}x`,
      "ses_",
      "garbage",
    ];
    for (const candidate of forged) {
      const caller = createCaller(context({ sessionId: candidate }));
      expect(await caller.session.me()).toBeNull();
      expect(await failure(caller.blockList.list({ agentId: alice.agentId }))).toEqual(unauthorized);
    }
  });

  it("ends a session whose key is revoked, and with the key's user", async () => {
    const tenant = await createTenant(db, "revoked session");
    const session = createCaller(context({ sessionId: await signIn(tenant.apiKey) }));
    expect(await session.session.me()).toMatchObject({ uid: tenant.uid });
    await revokeApiKey(db, tenant.caller.keyId);
    expect(await session.session.me()).toBeNull();
    expect(await failure(session.organizations.list())).toEqual(unauthorized);

    const deleted = await createTenant(db, "deleted user");
    await signIn(deleted.readOnlyKey);
    await db.user.delete({ where: { id: deleted.uid } });
    expect(await db.session.count({ where: { keyId: deleted.readOnlyCaller.keyId } })).toBe(0);
  });

  it("ends a session unused for SESSION_IDLE_MINUTES, or SESSION_MAX_HOURS after sign-in", async () => {
    const sessions = { idleMinutes: 1, maxHours: 1 };
    const backdate = async (sessionId: string, ago: { lastUsed: number; created: number }) => {
      const now = Date.now();
      await db.session.update({
        where: { hash: hashSecret(sessionId) },
        data: { lastUsedAt: new Date(now - ago.lastUsed), createdAt: new Date(now - ago.created) },
      });
      return createCaller(context({ sessionId, sessions }));
    };
    const recent = await backdate(await signIn(alice.apiKey, sessions), {
      lastUsed: 50_000,
      created: 3_500_000,
    });
    const idle = await backdate(await signIn(alice.apiKey, sessions), { lastUsed: 61_000, created: 61_000 });
    const old = await backdate(await signIn(alice.apiKey, sessions), { lastUsed: 0, created: 3_601_000 });
    expect(await recent.session.me()).toMatchObject({ uid: alice.uid });
    expect(await idle.session.me()).toBeNull();
    expect(await failure(idle.organizations.list())).toEqual(unauthorized);
    expect(await old.session.me()).toBeNull();
    expect(await failure(old.organizations.list())).toEqual(unauthorized);
  });

  it("refuses a wrong key without opening a session or setting a cookie", async () => {
    const signingIn = context();
    const before = await db.session.count();
    expect(await failure(createCaller(signingIn).session.signIn({ apiKey: "bl_wrong" }))).toEqual(
      unauthorized,
    );
    expect(signingIn.resHeaders.get("set-cookie")).toBeNull();
    expect(await db.session.count()).toBe(before);
  });

  it("marks the cookie Secure as the context says, and signing in again ends the browser's old session", async () => {
    const old = await signIn(alice.apiKey);
    const signingIn = context({ sessionId: old, secure: true });
    await createCaller(signingIn).session.signIn({ apiKey: alice.apiKey });
    expect(signingIn.resHeaders.get("set-cookie")).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
    expect(await createCaller(context({ sessionId: old })).session.me()).toBeNull();
    expect(
      await createCaller(
        context({ sessionId: sessionIdOf(signingIn.resHeaders.get("set-cookie")) }),
      ).session.me(),
    ).toMatchObject({ uid: alice.uid });
  });
});

describe("the cookie's Secure, through the endpoint", () => {
  it("ignores a client's X-Forwarded-Proto and the request's scheme without PUBLIC_URL or TRUST_PROXY", async () => {
    for (const [url, forwarded] of [
      ["http://blocklist.example", "https"],
      ["https://blocklist.example", null],
    ] as const) {
      const response = await serve(
        new Request(`${url}/api/trpc/session.signIn`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            ...(forwarded ? { "X-Forwarded-Proto": forwarded } : {}),
          },
          body: JSON.stringify({ apiKey: alice.apiKey }),
        }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("set-cookie")).toMatch(
        /^bl_session=ses_\w+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/,
      );
    }
  });
});
