import type { IncomingMessage, ServerResponse } from "node:http";
import { DOCS_PATH } from "./src/docs/page";

// Same origin only. Next's App Router streams the page's data in inline <script> tags and offers no nonce
// without rendering every page dynamically (a nonce per request from a proxy), so scripts need
// 'unsafe-inline'; everything else stays on this origin and nothing may frame a page. /docs answers a
// stricter policy of its own (no inline scripts at all, src/docs/page.ts): a header set here would win over
// the route's, so the wrapper leaves that one page's policy to the route.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Sent with every answer of the server, UI and API, success or error. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/** Wraps a Node request handler so that every answer carries the security headers. */
export function withSecurityHeaders<Handler extends (req: IncomingMessage, res: ServerResponse) => unknown>(
  handle: Handler,
): Handler {
  return ((req: IncomingMessage, res: ServerResponse) => {
    const ownPolicy = (req.url ?? "").split("?")[0] === DOCS_PATH;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!(ownPolicy && name === "Content-Security-Policy")) res.setHeader(name, value);
    }
    return handle(req, res);
  }) as Handler;
}
