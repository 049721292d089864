import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { ErrorMessage, MAX_BODY_BYTES, MAX_NUMBERS_PER_REQUEST, SUCCESS_MESSAGE } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { blockListPath, type CallOptions, call } from "./http";
import { testNumber } from "./numbers";
import { serverForFile } from "./server";

// POST and DELETE bodies: a JSON Content-Type (415) and at most MAX_BODY_BYTES (413), both checked after the
// key (401) and before the body is parsed (400), over real HTTP against the real server.
const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

const PATH = "/api/agent-block-list";
const tooLarge = { status: 413, body: { error: ErrorMessage.bodyTooLarge } };
const unsupported = { status: 415, body: { error: ErrorMessage.unsupportedMediaType } };

const api = (method: string, options: CallOptions) => call(server.url, method, PATH, options);
const outcome = async (method: string, options: CallOptions) => {
  const { status, body } = await api(method, options);
  return { status, body };
};

/** A valid body padded with spaces to exactly `size` bytes. */
function paddedBody(tenant: Tenant, size: number, numbers = ["+14155552671"]): string {
  const json = JSON.stringify({ uid: tenant.uid, agentId: tenant.agentId, numbers });
  return json + " ".repeat(size - Buffer.byteLength(json));
}

/** An answer as it came off the wire; judged by the test (`judged`), never inside a socket's callback. */
interface RawAnswer {
  status: number;
  contentType: string | undefined;
  text: string;
}

/** The status and parsed body of a raw answer, which must be JSON like every answer. */
function judged(answer: RawAnswer): { status: number; body: unknown } {
  expect(answer.contentType, `${answer.status} ${answer.text}`).toMatch(/^application\/json/);
  return { status: answer.status, body: JSON.parse(answer.text) };
}

/**
 * A request through node:http, for what fetch cannot send: a chunked body without Content-Length, or a
 * Content-Length that announces more than is sent. `chunks` are written as they come; `end: false` leaves the
 * body unfinished, so the answer can only come before the body is read. A connection closed before a whole
 * answer rejects at once.
 */
function rawRequest(
  method: string,
  headers: Record<string, string>,
  chunks: Iterable<string | Buffer>,
  end = true,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(PATH, server.url);
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("error", reject);
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], text });
        req.destroy();
      });
    });
    // The server may answer and close while we still write: that is the point, not a failure by itself.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    // After a whole answer this changes nothing (resolved already); without one, it fails now, not at the timeout.
    req.on("close", () => reject(new Error(`${method} ${PATH}: connection closed before a whole answer`)));
    for (const chunk of chunks) req.write(chunk);
    if (end) req.end();
  });
}

describe.each(["POST", "DELETE"])("%s /api/agent-block-list", (method) => {
  describe("Content-Type (415)", () => {
    it.each([
      ["no Content-Type", undefined],
      ["text/plain", "text/plain"],
      ["a form", "application/x-www-form-urlencoded"],
      ["multipart", "multipart/form-data; boundary=x"],
      ["another JSON-like type", "application/json-patch+json"],
      ["an empty one", ""],
    ])("refuses %s", async (_, contentType) => {
      const body = JSON.stringify({ uid: alice.uid, agentId: alice.agentId, numbers: ["+14155552671"] });
      if (contentType === undefined) {
        // fetch names a string body text/plain; bytes go without any Content-Type.
        const response = await fetch(new URL(PATH, server.url), {
          method,
          headers: { "X-Authorization": alice.apiKey },
          body: new TextEncoder().encode(body),
        });
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        expect({ status: response.status, body: await response.json() }).toEqual(unsupported);
        return;
      }
      expect(
        await outcome(method, { key: alice.apiKey, rawBody: body, headers: { "Content-Type": contentType } }),
      ).toEqual(unsupported);
    });

    it.each(["application/json; charset=utf-8", "Application/JSON", " application/json ;charset=UTF-8"])(
      "accepts %s",
      async (contentType) => {
        const body = JSON.stringify({ uid: alice.uid, agentId: alice.agentId, numbers: ["not a number"] });
        const answer = await outcome(method, {
          key: alice.apiKey,
          rawBody: body,
          headers: { "Content-Type": contentType },
        });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ message: SUCCESS_MESSAGE });
      },
    );

    it("comes after the key (401) and before the body is parsed (400) or the agent checked (401)", async () => {
      const headers = { "Content-Type": "text/plain" };
      expect(await outcome(method, { rawBody: "{", headers })).toEqual({
        status: 401,
        body: { error: ErrorMessage.invalidKey },
      });
      expect(await outcome(method, { key: alice.apiKey, rawBody: "{", headers })).toEqual(unsupported);
      const foreign = JSON.stringify({ uid: alice.uid, agentId: bob.agentId, numbers: ["+14155552671"] });
      expect(await outcome(method, { key: alice.apiKey, rawBody: foreign, headers })).toEqual(unsupported);
      expect(await outcome(method, { key: alice.readOnlyKey, rawBody: foreign, headers })).toEqual(
        unsupported,
      );
    });
  });

  describe(`size (413 over ${MAX_BODY_BYTES} bytes)`, () => {
    it("accepts a body of exactly the limit", async () => {
      const answer = await outcome(method, { key: alice.apiKey, rawBody: paddedBody(alice, MAX_BODY_BYTES) });
      expect(answer.status).toBe(200);
    });

    it("refuses one byte more, by its Content-Length", async () => {
      expect(
        await outcome(method, { key: alice.apiKey, rawBody: paddedBody(alice, MAX_BODY_BYTES + 1) }),
      ).toEqual(tooLarge);
    });

    it("refuses a declared Content-Length over the limit before reading the body", async () => {
      // Only a few bytes of the announced 100 MB are ever sent: the answer cannot wait for the rest.
      const answer = await rawRequest(
        method,
        {
          "X-Authorization": alice.apiKey,
          "Content-Type": "application/json",
          "Content-Length": String(100 * 1024 * 1024),
        },
        ['{"uid":'],
        false,
      );
      expect(judged(answer)).toEqual(tooLarge);
    });

    it("refuses a chunked body once it passes the limit, without waiting for the rest", async () => {
      const chunk = " ".repeat(64 * 1024);
      const chunks = ['{"uid":', ...Array.from({ length: 48 }, () => chunk)];
      // The body never ends: only a server that stops reading at the limit can answer.
      const answer = await rawRequest(
        method,
        {
          "X-Authorization": alice.apiKey,
          "Content-Type": "application/json",
          "Transfer-Encoding": "chunked",
        },
        chunks,
        false,
      );
      expect(judged(answer)).toEqual(tooLarge);
    });

    it("reads a chunked body within the limit as usual", async () => {
      const body = paddedBody(alice, 512 * 1024, ["+14155550100"]);
      const chunks = body.match(/[\s\S]{1,65536}/g) ?? [];
      const answer = await rawRequest(
        method,
        {
          "X-Authorization": alice.apiKey,
          "Content-Type": "application/json",
          "Transfer-Encoding": "chunked",
        },
        chunks,
      );
      expect(judged(answer)).toMatchObject({ status: 200, body: { message: SUCCESS_MESSAGE } });
    });

    it("comes after the key (401) and before the agent is checked (401 permissions)", async () => {
      const huge = paddedBody(alice, MAX_BODY_BYTES + 1);
      expect(await outcome(method, { rawBody: huge })).toEqual({
        status: 401,
        body: { error: ErrorMessage.invalidKey },
      });
      const foreign = JSON.stringify({ uid: alice.uid, agentId: bob.agentId, numbers: [] });
      const hugeForeign = foreign + " ".repeat(MAX_BODY_BYTES);
      expect(await outcome(method, { key: alice.apiKey, rawBody: hugeForeign })).toEqual(tooLarge);
      expect(await outcome(method, { key: alice.readOnlyKey, rawBody: hugeForeign })).toEqual(tooLarge);
    });
  });
});

describe("bodies that are still a 400", () => {
  it("an empty JSON body", async () => {
    expect(await outcome("POST", { key: alice.apiKey, rawBody: "" })).toEqual({
      status: 400,
      body: { error: ErrorMessage.invalidJson },
    });
  });

  it(`${MAX_NUMBERS_PER_REQUEST} formatted numbers, the most a request may hold, fit well within the limit`, async () => {
    const carol = await createTenant(db, "carol");
    const e164 = Array.from({ length: MAX_NUMBERS_PER_REQUEST }, (_, i) => testNumber(i));
    // +14155550000 written as "+1 (415) 555-0000 ", with the spaces a paste leaves.
    const numbers = e164.map(
      (number) => `${number.slice(0, 2)} (${number.slice(2, 5)}) ${number.slice(5, 8)}-${number.slice(8)} `,
    );
    const body = JSON.stringify({ uid: carol.uid, agentId: carol.agentId, numbers });
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES / 4);

    const answer = await outcome("POST", { key: carol.apiKey, rawBody: body });
    const { added, ...rest } = answer.body as { added: string[] };
    expect({ status: answer.status, body: rest, added: [...added].sort() }).toEqual({
      status: 200,
      body: { message: SUCCESS_MESSAGE, failed: [] },
      added: [...e164].sort(),
    });
  });
});

/**
 * Bytes straight onto a socket, for what no HTTP client sends; resolves with everything that came back once the
 * server closed the connection (the test reads it: `parsedAnswer`).
 */
function rawSocket(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}

/** An HTTP/1.1 answer read off a socket: its status, its head lowercased, and its body parsed as JSON. */
function parsedAnswer(text: string): { status: number; head: string; body: unknown } {
  const [head = "", body = ""] = text.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), head: head.toLowerCase(), body: JSON.parse(body) };
}

// Node refuses these before any handler runs; the server answers them in JSON too (clientErrors.ts).
describe("request heads Node's parser refuses", () => {
  it("a query past the 16 KiB limit on the request head is 431 JSON", async () => {
    const uid = "u".repeat(20_000);
    const response = await fetch(new URL(`${PATH}?uid=${uid}&agentId=a`, server.url), {
      headers: { "X-Authorization": alice.apiKey },
    });
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 431,
      body: { error: ErrorMessage.headersTooLarge },
    });
  });

  it("headers past the limit are 431 JSON", async () => {
    const answer = parsedAnswer(
      await rawSocket(
        `GET ${PATH} HTTP/1.1\r\nHost: x\r\nX-Authorization: ${alice.apiKey}\r\nX-Padding: ${"p".repeat(20_000)}\r\n\r\n`,
      ),
    );
    expect(answer.head).toContain("content-type: application/json");
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 431,
      body: { error: ErrorMessage.headersTooLarge },
    });
  });

  it("bytes that are not HTTP are 400 JSON", async () => {
    const answer = parsedAnswer(await rawSocket("NOT AN HTTP REQUEST\r\n\r\n"));
    expect(answer.head).toContain("content-type: application/json");
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 400,
      body: { error: ErrorMessage.malformedRequest },
    });
  });

  it("the server still answers normally afterwards", async () => {
    const path = blockListPath({ uid: alice.uid, agentId: alice.agentId });
    expect(await call(server.url, "GET", path, { key: alice.apiKey })).toMatchObject({ status: 200 });
  });
});
