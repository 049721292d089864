// blockList.check is served by server.ts in front of Next.js (packages/api/src/trpc/node.ts). Callers must not
// be able to tell: the same URL, statuses, bodies and headers as every other procedure, which Next.js serves.
import { createTenant } from "@blocklist/api/testing";
import { describe, expect, it } from "vitest";
import { signIn } from "./http";
import { serverForFile } from "./server";

const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

async function send(path: string, init: RequestInit = {}): Promise<RawAnswer> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  const headers = Object.fromEntries(response.headers);
  return { status: response.status, headers, body: text === "" ? "" : JSON.parse(text) };
}

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const withKey = (key: string) => ({ headers: { "X-Authorization": key } });
// Headers that differ between any two answers, framing (Content-Length or chunked), and what only Next.js adds:
// its router's Vary entries, and gzip (a check's answer is some 60 bytes; HTTP clients decode it transparently).
const PER_ANSWER = new Set([
  "date",
  "x-request-id",
  "vary",
  "transfer-encoding",
  "content-length",
  "connection",
  "keep-alive",
  "content-encoding",
  // The key's budget moves with every answer.
  "ratelimit-remaining",
  "ratelimit-reset",
]);
const stable = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_ANSWER.has(name)));

describe("GET /api/trpc/blockList.check", () => {
  it("answers a check, single or batched, as tRPC does", async () => {
    const query = { agentId: alice.agentId, number: "+1 (415) 555-2671" };
    expect(
      await send(`/api/trpc/blockList.check?input=${input(query)}`, withKey(alice.apiKey)),
    ).toMatchObject({
      status: 200,
      body: { result: { data: { blocked: false, e164: "+14155552671" } } },
    });
    expect(
      await send(`/api/trpc/blockList.check?batch=1&input=${input({ 0: query })}`, withKey(alice.apiKey)),
    ).toMatchObject({ status: 200, body: [{ result: { data: { blocked: false, e164: "+14155552671" } } }] });
  });

  it("answers alike through the shortcut for a plain check and through tRPC's adapter", async () => {
    const query = `input=${input({ agentId: alice.agentId, number: "+14155552671" })}`;
    // Any other query parameter (tRPC ignores it) sends the same check through the adapter.
    const [plain, adapter] = await Promise.all([
      send(`/api/trpc/blockList.check?${query}`, withKey(alice.apiKey)),
      send(`/api/trpc/blockList.check?${query}&via=adapter`, withKey(alice.apiKey)),
    ]);
    expect(plain.status).toBe(200);
    expect(plain.headers.vary).toBe("trpc-accept, accept");
    expect({ ...plain, headers: stable(plain.headers) }).toEqual({
      ...adapter,
      headers: stable(adapter.headers),
    });
  });

  it("refuses exactly as the procedures Next.js serves, headers included", async () => {
    // The same refusal from check (served in front of Next.js) and from list (served by Next.js).
    const pairs: [string, string, RequestInit][] = [
      [
        `/api/trpc/blockList.check?input=${input({ agentId: alice.agentId, number: "+14155552671" })}`,
        `/api/trpc/blockList.list?input=${input({ agentId: alice.agentId })}`,
        {},
      ],
      [
        `/api/trpc/blockList.check?input=${input({ agentId: bob.agentId, number: "+14155552671" })}`,
        `/api/trpc/blockList.list?input=${input({ agentId: bob.agentId })}`,
        withKey(alice.apiKey),
      ],
      [
        `/api/trpc/blockList.check?input=${input({ agentId: "", number: "+14155552671" })}`,
        `/api/trpc/blockList.list?input=${input({ agentId: "" })}`,
        withKey(alice.apiKey),
      ],
      ["/api/trpc/blockList.check?input=%7Bnot-json", "/api/trpc/blockList.list?input=%7Bnot-json", {}],
    ];
    for (const [checkPath, listPath, init] of pairs) {
      const [check, list] = await Promise.all([send(checkPath, init), send(listPath, init)]);
      expect(check.status).toBeGreaterThanOrEqual(400);
      expect({ ...check, headers: stable(check.headers) }).toEqual({
        ...list,
        headers: stable(list.headers),
      });
    }
  });

  it("answers a check sent as a mutation (POST) as tRPC does", async () => {
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" };
    expect(await send("/api/trpc/blockList.check", init)).toMatchObject({
      status: 405,
      body: { error: { data: { code: "METHOD_NOT_SUPPORTED", httpStatus: 405 } } },
    });
  });

  it("accepts the UI's session cookie instead of X-Authorization, and refuses a key in its place", async () => {
    const query = { agentId: alice.agentId, number: "+14155552671" };
    const { cookie } = await signIn(server.url, alice.readOnlyKey);
    expect(
      await send(`/api/trpc/blockList.check?input=${input(query)}`, { headers: { Cookie: cookie } }),
    ).toMatchObject({ status: 200, body: { result: { data: { blocked: false } } } });
    expect(
      await send(`/api/trpc/blockList.check?input=${input(query)}`, {
        headers: { Cookie: `bl_session=${alice.readOnlyKey}` },
      }),
    ).toMatchObject({ status: 401, body: { error: { data: { code: "UNAUTHORIZED", httpStatus: 401 } } } });
  });

  it("leaves other methods and paths to Next.js, as before", async () => {
    const [put, deeper] = await Promise.all([
      send("/api/trpc/blockList.check", { method: "PUT" }),
      send("/api/trpc/blockList.check/x", withKey(alice.apiKey)),
    ]);
    expect(put.status).toBe(405);
    expect(deeper).toMatchObject({ status: 404, body: { error: "Not found" } });
  });
});
