// The tRPC endpoint of the real server against what another site's page could send with the UI's cookie
// (CSRF), and against bodies over 2 MiB.
import { createTenant } from "@blocklist/api/testing";
import { ErrorMessage, MAX_BODY_BYTES } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { blockListPath, call, signIn } from "./http";
import { serverForFile } from "./server";

const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");

const { cookie: aliceSession } = await signIn(server.url, alice.apiKey);
const session = () => ({ Cookie: aliceSession });
const addBody = (number: string) => JSON.stringify({ agentId: alice.agentId, numbers: [number] });

async function stored(): Promise<string[]> {
  const list = await call(server.url, "GET", blockListPath({ uid: alice.uid, agentId: alice.agentId }), {
    key: alice.apiKey,
  });
  return (list.body as { blockList: string[] }).blockList;
}

const refusal = (code: string, httpStatus: number, message: string, jsonCode: number) => ({
  status: httpStatus,
  body: { error: { message, code: jsonCode, data: { code, httpStatus } } },
});

describe("the UI's tRPC mutations", () => {
  it("are refused when the browser says another site sent them, and change nothing", async () => {
    const forbidden = refusal("FORBIDDEN", 403, ErrorMessage.crossSiteRequest, -32003);
    const crossSite: Record<string, string>[] = [
      { "Sec-Fetch-Site": "cross-site" },
      { Origin: "http://evil.example" },
    ];
    for (const headers of crossSite) {
      const answer = await call(server.url, "POST", "/api/trpc/blockList.add", {
        rawBody: addBody("+14155550111"),
        headers: { ...session(), "Content-Type": "application/json", ...headers },
      });
      expect({ status: answer.status, body: answer.body }).toEqual(forbidden);
      expect(answer.headers.get("set-cookie")).toBeNull();
    }
    expect(await stored()).toEqual([]);
  });

  it("include signing in: another site cannot sign the browser in with a key of its choosing (login CSRF)", async () => {
    const forbidden = refusal("FORBIDDEN", 403, ErrorMessage.crossSiteRequest, -32003);
    const signIn = (headers: Record<string, string>) =>
      call(server.url, "POST", "/api/trpc/session.signIn", {
        rawBody: JSON.stringify({ apiKey: alice.apiKey }),
        headers: { "Content-Type": "application/json", ...headers },
      });
    const crossSite: Record<string, string>[] = [
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
      { Origin: "http://evil.example" },
      { "Sec-Fetch-Site": "cross-site", Origin: "http://evil.example" },
    ];
    for (const headers of crossSite) {
      const answer = await signIn(headers);
      expect({
        status: answer.status,
        body: answer.body,
        setCookie: answer.headers.get("set-cookie"),
      }).toEqual({
        ...forbidden,
        setCookie: null,
      });
    }

    // The same request from the service's own page signs in.
    const own = await signIn({ "Sec-Fetch-Site": "same-origin", Origin: server.url });
    expect(own).toMatchObject({ status: 200, body: { result: { data: { uid: alice.uid } } } });
    expect(own.headers.get("set-cookie")).toMatch(/^bl_session=/);
  });

  it("cannot be run by a form post (text/plain), and run from the page itself", async () => {
    const formPost = await call(server.url, "POST", "/api/trpc/blockList.add", {
      rawBody: addBody("+14155550112"),
      headers: { ...session(), "Content-Type": "text/plain" },
    });
    expect({ status: formPost.status, body: formPost.body }).toEqual(
      refusal("UNSUPPORTED_MEDIA_TYPE", 415, ErrorMessage.unsupportedMediaType, -32015),
    );
    expect(await stored()).toEqual([]);

    const samePage = await call(server.url, "POST", "/api/trpc/blockList.add", {
      rawBody: addBody("+14155550113"),
      headers: {
        ...session(),
        "Content-Type": "application/json",
        "Sec-Fetch-Site": "same-origin",
        Origin: server.url,
      },
    });
    expect(samePage).toMatchObject({ status: 200, body: { result: { data: { added: ["+14155550113"] } } } });
    expect(await stored()).toEqual(["+14155550113"]);
  });
});

describe("a tRPC body over 2 MiB", () => {
  const tooLarge = refusal("PAYLOAD_TOO_LARGE", 413, ErrorMessage.bodyTooLarge, -32013);
  const huge = `{"agentId":"${"x".repeat(MAX_BODY_BYTES)}","numbers":["+14155550114"]}`;

  it("is refused with 413, sent with a Content-Length or chunked (answered before a chunked body ends)", async () => {
    const declared = await call(server.url, "POST", "/api/trpc/blockList.add", {
      key: alice.apiKey,
      rawBody: huge,
    });
    expect({ status: declared.status, body: declared.body }).toEqual(tooLarge);

    const bytes = new TextEncoder().encode(huge);
    const chunked = await fetch(`${server.url}/api/trpc/blockList.add`, {
      method: "POST",
      headers: { "X-Authorization": alice.apiKey, "Content-Type": "application/json" },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 256 * 1024)
            controller.enqueue(bytes.slice(at, at + 256 * 1024));
          // Never closed: only a server that stops reading at the limit can answer.
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect({ status: chunked.status, body: await chunked.json() }).toEqual(tooLarge);
  });
});
