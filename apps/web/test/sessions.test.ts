// The web UI's sessions on three instances of the real server, one database: the cookie holds a session id,
// never a key; sign-out and a revoked key end the session on every instance; each instance marks the cookie
// Secure as its configuration says (none, PUBLIC_URL, TRUST_PROXY), whatever the client sends.
import { createHash } from "node:crypto";
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage } from "@blocklist/core";
import { afterAll, describe, expect, it } from "vitest";
import { cliJson } from "./cli";
import { type Answer, call, signIn } from "./http";
import { untilRefused } from "./revocation";
import { serverForFile, startServer } from "./server";

const { db, databaseUrl, server: plain } = await serverForFile();
const [publicHttps, behindProxy] = await Promise.all([
  startServer({ DATABASE_URL: databaseUrl, PUBLIC_URL: "https://blocklist.example.com" }),
  startServer({ DATABASE_URL: databaseUrl, TRUST_PROXY: "true" }),
]);
afterAll(async () => {
  await Promise.all([publicHttps.stop(), behindProxy.stop()]);
});
const alice = await createTenant(db, "alice");

const SESSION_COOKIE =
  /^bl_session=ses_[0-9A-Za-z]{32}; Max-Age=604800; Path=\/; HttpOnly; (Secure; )?SameSite=Strict$/;
const unauthorized = {
  status: 401,
  body: {
    error: {
      message: ErrorMessage.invalidKey,
      code: -32001,
      data: { code: "UNAUTHORIZED", httpStatus: 401 },
    },
  },
};

/** A tRPC query with the session cookie (or any Cookie header). */
async function query(
  baseUrl: string,
  procedure: string,
  cookie: string,
): Promise<Pick<Answer, "status" | "body">> {
  const { status, body } = await call(baseUrl, "GET", `/api/trpc/${procedure}`, {
    headers: { Cookie: cookie },
  });
  return { status, body };
}
const me = async (baseUrl: string, cookie: string) => (await query(baseUrl, "session.me", cookie)).body;
const signedInAs = (uid: string, readOnly = false) => ({
  result: { data: { uid, readOnly, keyPrefix: expect.stringMatching(/^bl_\w{6}$/) } },
});
const signedOut = { result: { data: null } };
/** What the sessions table stores of the cookie's session id. */
const hashOf = (cookie: string) =>
  new Uint8Array(createHash("sha256").update(cookie.slice("bl_session=".length)).digest());

describe("a web UI session", () => {
  it("is a session id in the cookie, never the key, and works on every instance", async () => {
    const { cookie, setCookie } = await signIn(plain.url, alice.readOnlyKey);
    expect(setCookie).toMatch(SESSION_COOKIE);
    expect(setCookie).not.toContain(alice.readOnlyKey);
    expect(setCookie).not.toContain(alice.readOnlyKey.slice(3));
    for (const server of [plain, publicHttps, behindProxy]) {
      expect(await me(server.url, cookie)).toEqual(signedInAs(alice.uid, true));
      expect(await query(server.url, "organizations.list", cookie)).toMatchObject({ status: 200 });
    }
  });

  it("ends at sign-out: the old cookie is refused on every instance", async () => {
    const { cookie } = await signIn(plain.url, alice.apiKey);
    expect(await me(publicHttps.url, cookie)).toEqual(signedInAs(alice.uid));

    const out = await call(plain.url, "POST", "/api/trpc/session.signOut", {
      headers: { Cookie: cookie, "Content-Type": "application/json" },
    });
    expect(out).toMatchObject({ status: 200, body: { result: { data: { signedOut: true } } } });
    expect(out.headers.get("set-cookie")).toBe("bl_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict");
    const endedAt = performance.now();
    for (const server of [publicHttps, behindProxy, plain]) {
      expect(await untilRefused(endedAt, () => query(server.url, "organizations.list", cookie))).toEqual(
        unauthorized,
      );
      expect(await me(server.url, cookie)).toEqual(signedOut);
    }
  });

  it("ends within a second on another instance when its key is revoked", async () => {
    const tenant = await createTenant(db, "revoked");
    const { cookie } = await signIn(plain.url, tenant.apiKey);
    expect(await query(publicHttps.url, "organizations.list", cookie)).toMatchObject({ status: 200 });

    await cliJson({ DATABASE_URL: databaseUrl }, "key", "revoke", "--key-id", tenant.caller.keyId);
    const revokedAt = performance.now();
    expect(await untilRefused(revokedAt, () => query(publicHttps.url, "organizations.list", cookie))).toEqual(
      unauthorized,
    );
    expect(await me(publicHttps.url, cookie)).toEqual(signedOut);
  });

  it("ends once idle for SESSION_IDLE_MINUTES or SESSION_MAX_HOURS after sign-in", async () => {
    // The defaults: 720 minutes idle, 168 hours in all.
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const backdate = (cookie: string, data: { lastUsedAt?: Date; createdAt?: Date }) =>
      db.session.update({ where: { hash: hashOf(cookie) }, data, select: { keyId: true } });
    const idle = await signIn(plain.url, alice.apiKey);
    const old = await signIn(plain.url, alice.apiKey);

    await backdate(idle.cookie, { lastUsedAt: minutesAgo(719) });
    await backdate(old.cookie, { createdAt: minutesAgo(168 * 60 - 1) });
    expect(await me(plain.url, idle.cookie)).toEqual(signedInAs(alice.uid));
    expect(await me(plain.url, old.cookie)).toEqual(signedInAs(alice.uid));

    await backdate(idle.cookie, { lastUsedAt: minutesAgo(721) });
    await backdate(old.cookie, { createdAt: minutesAgo(168 * 60 + 1) });
    expect(await query(plain.url, "organizations.list", idle.cookie)).toEqual(unauthorized);
    expect(await query(plain.url, "organizations.list", old.cookie)).toEqual(unauthorized);
  });

  it("refuses a forged or unknown session id, a key in the cookie, and a session id as a key", async () => {
    const { cookie } = await signIn(plain.url, alice.apiKey);
    const sessionId = cookie.slice("bl_session=".length);
    for (const forged of [`bl_session=ses_${"A".repeat(32)}`, `bl_session=${alice.apiKey}`, "bl_session=x"]) {
      expect(await query(plain.url, "organizations.list", forged)).toEqual(unauthorized);
      expect(await me(plain.url, forged)).toEqual(signedOut);
    }
    expect(await call(plain.url, "GET", "/api/organizations", { key: sessionId })).toMatchObject({
      status: 401,
      body: { error: ErrorMessage.invalidKey },
    });
    expect(
      await call(plain.url, "GET", "/api/trpc/organizations.list", { key: sessionId }).then(
        ({ status, body }) => ({
          status,
          body,
        }),
      ),
    ).toEqual(unauthorized);
  });
});

describe("the session cookie's Secure", () => {
  const secureFlag = async (baseUrl: string, forwardedProto?: string) => {
    const { setCookie } = await signIn(
      baseUrl,
      alice.apiKey,
      forwardedProto === undefined ? {} : { "X-Forwarded-Proto": forwardedProto },
    );
    expect(setCookie).toMatch(SESSION_COOKIE);
    return setCookie.includes("; Secure;");
  };

  it("is never set from a client's X-Forwarded-Proto without PUBLIC_URL or TRUST_PROXY", async () => {
    expect(await secureFlag(plain.url, "https")).toBe(false);
    expect(await secureFlag(plain.url)).toBe(false);
  });

  it("follows PUBLIC_URL's scheme whatever the request says", async () => {
    expect(await secureFlag(publicHttps.url)).toBe(true);
    expect(await secureFlag(publicHttps.url, "http")).toBe(true);
  });

  it("follows the trusted proxy's X-Forwarded-Proto with TRUST_PROXY=true", async () => {
    expect(await secureFlag(behindProxy.url, "https")).toBe(true);
    expect(await secureFlag(behindProxy.url, "http, https")).toBe(true);
    expect(await secureFlag(behindProxy.url, "https, http")).toBe(false);
    expect(await secureFlag(behindProxy.url, "http")).toBe(false);
    expect(await secureFlag(behindProxy.url)).toBe(false);
  });
});
