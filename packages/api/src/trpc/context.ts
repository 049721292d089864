import { getPrismaClient, type PrismaClient } from "@blocklist/db";
import { API_KEY_HEADER } from "../admitCaller";
import { readSessionCookie } from "./session";

/** Where a procedure adds headers to the answer: a fetch `Headers`, or the HTTP layer's reply. */
export interface ResponseHeaders {
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

/** What every procedure sees. Built once per request; procedures never read headers themselves. */
export interface TrpcContext {
  db: PrismaClient;
  /** The X-Authorization key of a server-to-server caller. */
  apiKey: string | null;
  /** The key kept in the web UI's session cookie. */
  sessionKey: string | null;
  /** Headers added to the answer (the session cookie, the rate limit). */
  resHeaders: ResponseHeaders;
  /** Whether the request came over HTTPS, so that the cookie gets `Secure`. */
  secure: boolean;
}

export function createTrpcContext(
  { req, resHeaders }: { req: Request; resHeaders: Headers },
  db: PrismaClient = getPrismaClient(),
): TrpcContext {
  return trpcContextOf(
    { header: (name) => req.headers.get(name), protocol: new URL(req.url).protocol },
    resHeaders,
    db,
  );
}

/** What a request looks like to the context, whichever server received it. */
export interface RequestHead {
  /** A header's value, or null (names in any case). */
  header(name: string): string | null;
  /** The URL scheme the request arrived on, `http:` or `https:`. */
  protocol: string;
}

/** The context rules, whichever server received the request (the HTTP layer, a test's fetch handler). */
export function trpcContextOf(
  request: RequestHead,
  resHeaders: ResponseHeaders,
  db: PrismaClient,
): TrpcContext {
  const forwardedProto = request.header("x-forwarded-proto")?.split(",")[0]?.trim();
  return {
    db,
    apiKey: request.header(API_KEY_HEADER),
    sessionKey: readSessionCookie(request.header("cookie")),
    resHeaders,
    secure: (forwardedProto ?? request.protocol.replace(":", "")) === "https",
  };
}
