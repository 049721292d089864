import { DOCS_PATH } from "../src/docs/page";

// Same origin only. Next's App Router streams the page's data in inline <script> tags and offers no nonce
// without rendering every page dynamically (a nonce per request from a proxy), so scripts need
// 'unsafe-inline'; everything else stays on this origin and nothing may frame a page. /docs answers a
// stricter policy of its own (no inline scripts at all, src/docs/page.ts): a header set here would win over
// the route's, so the HTTP layer leaves that one page's policy to the route.
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

const WITHOUT_POLICY: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SECURITY_HEADERS).filter(([name]) => name !== "Content-Security-Policy"),
);

/** The headers a path's answer gets; /docs sets its own, stricter policy. */
export function securityHeadersFor(path: string): Readonly<Record<string, string>> {
  return path === DOCS_PATH ? WITHOUT_POLICY : SECURITY_HEADERS;
}
