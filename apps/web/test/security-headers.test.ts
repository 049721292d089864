import { describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "../server/securityHeaders";
import { DOCS_CONTENT_SECURITY_POLICY } from "../src/docs/page";
import { serverForFile } from "./server";

// The security headers on every kind of answer of the real server: pages, static files, API successes and
// errors, Next's own 404. (That the UI and /docs still work under these policies is what e2e.test.ts and
// docs.test.ts show in a real Chromium.)
const { server } = await serverForFile();

async function headersOf(method: string, path: string, init: RequestInit = {}): Promise<Headers> {
  const response = await fetch(new URL(path, server.url), { method, redirect: "manual", ...init });
  await response.arrayBuffer();
  return response.headers;
}

function expectSecurityHeaders(headers: Headers, csp = CONTENT_SECURITY_POLICY) {
  expect(headers.get("content-security-policy")).toBe(csp);
  expect(headers.get("x-frame-options")).toBe("DENY");
  expect(headers.get("x-content-type-options")).toBe("nosniff");
  expect(headers.get("referrer-policy")).toBe("no-referrer");
}

describe("security headers", () => {
  it("forbid framing and other origins in the policy itself", () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(Object.keys(SECURITY_HEADERS)).toHaveLength(4);
  });

  it.each([
    ["GET", "/"],
    ["HEAD", "/"],
    ["GET", "/api/agent-block-list?uid=u&agentId=a"],
    ["POST", "/api/agent-block-list"],
    ["DELETE", "/api/agent-block-list"],
    ["PUT", "/api/agent-block-list"],
    ["OPTIONS", "/api/agent-block-list"],
    ["GET", "/api/organizations"],
    ["GET", "/api/no-such-route"],
    ["GET", "/api/health"],
    ["GET", "/api/ready"],
    ["GET", "/api/openapi.json"],
    ["GET", "/api/trpc/organizations.list"],
    ["GET", "/no-such-page"],
    ["GET", "/docs/assets/docs.css"],
  ])("are on %s %s", async (method, path) => {
    expectSecurityHeaders(await headersOf(method, path));
  });

  it("are on Next's static files", async () => {
    const html = await (await fetch(new URL("/", server.url))).text();
    const asset = /(?:src|href)="(\/_next\/static\/[^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    expectSecurityHeaders(await headersOf("GET", asset ?? ""));
  });

  it("leave /docs its own stricter policy, once", async () => {
    const headers = await headersOf("GET", "/docs");
    expectSecurityHeaders(headers, DOCS_CONTENT_SECURITY_POLICY);
    expect(DOCS_CONTENT_SECURITY_POLICY).not.toContain("script-src 'self' 'unsafe-inline'");
  });
});
