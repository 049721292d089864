// The tRPC endpoint's screening (CSRF, body type, body size) in the HTTP layer (server/app.ts) in-process, over
// a real socket, without Next.js.
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage, MAX_BODY_BYTES } from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";
import { isCrossSiteRequest } from "../server/crossSite";
import { signIn } from "./http";
import { httpLayerForFile } from "./httpLayer";

const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");

const { baseUrl: ORIGIN } = await httpLayerForFile(db);

const { cookie: aliceSession } = await signIn(ORIGIN, alice.apiKey);

/** Sends a request built as a browser would, to the running layer. */
const serve = (request: Request) => fetch(request);

/** A signed-in browser's mutation: the session cookie, plus whatever headers the case adds. */
function mutation(
  procedure: string,
  body: string | FormData | ReadableStream<Uint8Array> | null,
  headers: Record<string, string>,
): Request {
  return new Request(`${ORIGIN}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { Cookie: aliceSession, ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

const addBody = (numbers: string[]) => JSON.stringify({ agentId: alice.agentId, numbers });
const storedNumbers = async () =>
  (await db.entry.findMany({ where: { agentId: alice.agentId }, select: { value: true } })).flatMap(
    (row) => row.value ?? [],
  );

async function answer(
  request: Request,
): Promise<{ status: number; error?: unknown; setCookie: string | null }> {
  const response = await serve(request);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as { error?: unknown };
  return { status: response.status, error: body.error, setCookie: response.headers.get("set-cookie") };
}

const trpcError = (code: string, status: number, message: string, jsonCode: number) => ({
  message,
  code: jsonCode,
  data: { code, httpStatus: status },
});

describe("isCrossSiteRequest", () => {
  const request = (headers: Record<string, string>) => {
    const all = new Headers({ Host: "blocklist.example", ...headers });
    return (name: string) => all.get(name);
  };

  it("trusts Sec-Fetch-Site when a browser sends it", () => {
    expect(isCrossSiteRequest(request({ "Sec-Fetch-Site": "same-origin" }))).toBe(false);
    expect(isCrossSiteRequest(request({ "Sec-Fetch-Site": "none" }))).toBe(false);
    expect(isCrossSiteRequest(request({ "Sec-Fetch-Site": "same-site" }))).toBe(true);
    expect(isCrossSiteRequest(request({ "Sec-Fetch-Site": "cross-site" }))).toBe(true);
    // Sec-Fetch-Site wins over an Origin that a proxy may have rewritten.
    expect(isCrossSiteRequest(request({ "Sec-Fetch-Site": "same-origin", Origin: "http://other" }))).toBe(
      false,
    );
  });

  it("compares Origin with the host otherwise, and lets callers without either through", () => {
    expect(isCrossSiteRequest(request({ Origin: "http://blocklist.example" }))).toBe(false);
    expect(isCrossSiteRequest(request({ Origin: "http://evil.example" }))).toBe(true);
    expect(isCrossSiteRequest(request({ Origin: "http://blocklist.example:8080" }))).toBe(true);
    expect(isCrossSiteRequest(request({ Origin: "null" }))).toBe(true);
    expect(
      isCrossSiteRequest(request({ Origin: "https://public.example", "X-Forwarded-Host": "public.example" })),
    ).toBe(false);
    expect(isCrossSiteRequest(request({}))).toBe(false);
  });
});

describe("a tRPC mutation", () => {
  it("from another site is refused and changes nothing, whatever its credentials", async () => {
    const crossSite: Record<string, string>[] = [
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
      { Origin: "http://evil.example" },
      { Origin: "null" },
      { "Sec-Fetch-Site": "cross-site", "X-Authorization": alice.apiKey },
    ];
    for (const headers of crossSite) {
      const refused = await answer(
        mutation("blockList.add", addBody(["+14155550101"]), {
          "Content-Type": "application/json",
          ...headers,
        }),
      );
      expect(refused).toEqual({
        status: 403,
        error: trpcError("FORBIDDEN", 403, ErrorMessage.crossSiteRequest, -32003),
        setCookie: null,
      });
    }
    // Signing out (or in) from another site is refused too: no cookie is set.
    expect(
      await answer(
        mutation("session.signOut", null, {
          "Content-Type": "application/json",
          "Sec-Fetch-Site": "cross-site",
        }),
      ),
    ).toMatchObject({
      status: 403,
      setCookie: null,
    });
    expect(await storedNumbers()).toEqual([]);
  });

  it("a form can send (text/plain, urlencoded, multipart) is refused and changes nothing", async () => {
    const form = new FormData();
    form.set("agentId", alice.agentId);
    for (const [contentType, body] of [
      ["text/plain", addBody(["+14155550102"])],
      ["application/x-www-form-urlencoded", `agentId=${alice.agentId}&numbers=%2B14155550102`],
      [undefined, form],
      ["application/octet-stream", addBody(["+14155550102"])],
    ] as const) {
      const headers: Record<string, string> =
        contentType === undefined ? {} : { "Content-Type": contentType };
      const refused = await answer(mutation("blockList.add", body, headers));
      expect(refused).toEqual({
        status: 415,
        error: trpcError("UNSUPPORTED_MEDIA_TYPE", 415, ErrorMessage.unsupportedMediaType, -32015),
        setCookie: null,
      });
    }
    expect(await answer(mutation("session.signOut", "x", { "Content-Type": "text/plain" }))).toMatchObject({
      status: 415,
      setCookie: null,
    });
    expect(await storedNumbers()).toEqual([]);
  });

  it("from the same site, or from a caller that is no browser, runs", async () => {
    for (const [headers, number] of [
      [{ "Sec-Fetch-Site": "same-origin" }, "+14155550103"],
      [{ Origin: ORIGIN }, "+14155550104"],
      [{}, "+14155550105"],
    ] as const) {
      const done = await serve(
        mutation("blockList.add", addBody([number]), { "Content-Type": "application/json", ...headers }),
      );
      expect(done.status).toBe(200);
      expect(await done.json()).toMatchObject({ result: { data: { added: [number] } } });
    }
    expect(await storedNumbers()).toEqual(["+14155550103", "+14155550104", "+14155550105"]);
  });

  it("over 2 MiB is refused once a chunked body passes it; just under, it runs", async () => {
    const tooLarge = trpcError("PAYLOAD_TOO_LARGE", 413, ErrorMessage.bodyTooLarge, -32013);
    // A declared Content-Length over the limit is refused before reading: trpc-guard.test.ts sends one over a
    // raw socket (fetch will not send a length that is not the body's).
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          for (let at = 0; at < bytes.length; at += 64 * 1024)
            controller.enqueue(bytes.slice(at, at + 64 * 1024));
          controller.close();
        },
      });
    const padding = " ".repeat(MAX_BODY_BYTES);
    expect(
      await answer(
        mutation("blockList.add", chunked(`${addBody(["+14155550106"])}${padding}`), {
          "Content-Type": "application/json",
        }),
      ),
    ).toEqual({ status: 413, error: tooLarge, setCookie: null });
    expect(await storedNumbers()).not.toContain("+14155550106");

    const justUnder = `${addBody(["+14155550107"])}`.padEnd(MAX_BODY_BYTES, " ");
    const accepted = await serve(
      mutation("blockList.add", chunked(justUnder), { "Content-Type": "application/json" }),
    );
    expect(accepted.status).toBe(200);
    expect(await storedNumbers()).toContain("+14155550107");
  });
});

describe("a tRPC batch", () => {
  const batchOf = (calls: number) => {
    const path = Array.from({ length: calls }, () => "blockList.check").join(",");
    const input = Object.fromEntries(
      Array.from({ length: calls }, (_, index) => [
        index,
        { agentId: alice.agentId, number: "+14155550103" },
      ]),
    );
    return fetch(`${ORIGIN}/api/trpc/${path}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, {
      headers: { "X-Authorization": alice.apiKey },
    });
  };

  it("of 20 calls runs each, and of 21 is a 400 that says so before any runs", async () => {
    const twenty = await batchOf(20);
    expect(twenty.status).toBe(200);
    expect(((await twenty.json()) as unknown[]).length).toBe(20);
    const tooMany = await batchOf(21);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({
      error: trpcError("BAD_REQUEST", 400, "Batch call exceeds maximum size", -32600),
    });
  });
});
