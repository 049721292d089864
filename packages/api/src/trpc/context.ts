import { loadConfig } from "@blocklist/config";
import type { PrismaClient } from "@blocklist/db";
import { type AdmissionServices, API_KEY_HEADER } from "../admitCaller";
import type { RateLimiter } from "../rateLimit/limiter";
import type { SessionSettings } from "../sessions";
import { type CookieSecuritySettings, cookieIsSecure, readSessionCookie } from "./session";

/** Where a procedure adds headers to the answer: a fetch `Headers`, or the HTTP layer's reply. */
export interface ResponseHeaders {
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

/** What every procedure sees. Built once per request; procedures never read headers themselves. */
export interface TrpcContext {
  db: PrismaClient;
  /** The server's rate limiter; none: nothing is limited. */
  rateLimiter: RateLimiter | undefined;
  /** The X-Authorization key of a server-to-server caller. */
  apiKey: string | null;
  /** The session id in the web UI's session cookie (never a key: sessions.ts). */
  sessionId: string | null;
  /** Headers added to the answer (the session cookie, the rate limit). */
  resHeaders: ResponseHeaders;
  /** Whether the session cookie gets `Secure`, as the configuration decides (cookieIsSecure). */
  secure: boolean;
  /** The lifetimes of web UI sessions. */
  sessions: SessionSettings;
}

/** How the web UI's sessions behave (packages/config: SESSION_*, PUBLIC_URL, TRUST_PROXY). */
export interface WebSessionOptions {
  lifetimes: SessionSettings;
  cookieSecurity: CookieSecuritySettings;
}

const defaults = loadConfig({});
/** What WebSessionOptions are when nothing is configured. */
export const DEFAULT_WEB_SESSIONS: WebSessionOptions = {
  lifetimes: defaults.session,
  cookieSecurity: { publicUrl: defaults.server.publicUrl, trustProxy: defaults.server.trustProxy },
};

/** The context of a fetch `Request` (tests, in-process callers); the HTTP layer uses trpcContextOf. */
export function createTrpcContext(
  { req, resHeaders }: { req: Request; resHeaders: Headers },
  services: AdmissionServices,
  webSessions: WebSessionOptions = DEFAULT_WEB_SESSIONS,
): TrpcContext {
  return trpcContextOf({ header: (name) => req.headers.get(name) }, resHeaders, services, webSessions);
}

/** What a request looks like to the context, whichever server received it. */
export interface RequestHead {
  /** A header's value, or null (names in any case). */
  header(name: string): string | null;
}

/** The context rules, whichever server received the request (the HTTP layer, a test's fetch handler). */
export function trpcContextOf(
  request: RequestHead,
  resHeaders: ResponseHeaders,
  { db, rateLimiter }: AdmissionServices,
  webSessions: WebSessionOptions,
): TrpcContext {
  return {
    db,
    rateLimiter,
    apiKey: request.header(API_KEY_HEADER),
    sessionId: readSessionCookie(request.header("cookie")),
    resHeaders,
    secure: cookieIsSecure(webSessions.cookieSecurity, request.header("x-forwarded-proto")),
    sessions: webSessions.lifetimes,
  };
}
