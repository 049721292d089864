import { getConfig } from "@blocklist/config";
import { getPrismaClient, type PrismaClient } from "@blocklist/db";
import type { Admission } from "../rateLimit/process";
import { API_KEY_HEADER } from "../rest/handler";
import type { SessionSettings } from "../sessions";
import { cookieIsSecure, readSessionCookie } from "./session";

/** What every procedure sees. Built once per request; procedures never read headers themselves. */
export interface TrpcContext {
  db: PrismaClient;
  /** The X-Authorization key of a server-to-server caller. */
  apiKey: string | null;
  /** The session id in the web UI's session cookie (never a key: sessions.ts). */
  sessionId: string | null;
  /** Headers added to the answer (the session cookie). */
  resHeaders: Headers;
  /** Whether the session cookie gets `Secure` (decided by the configuration: cookieIsSecure). */
  secure: boolean;
  /** The lifetimes of web UI sessions. */
  sessions: SessionSettings;
  /**
   * Only on the check path (node.ts), which may run one call twice (a fast attempt, then tRPC's adapter for its
   * error answer): the rate-limit decision of the first attempt, reused by the second so the call counts once.
   */
  rateLimitDecision?: { admission?: Admission };
}

export function createTrpcContext(
  { req, resHeaders }: { req: Request; resHeaders: Headers },
  db: PrismaClient = getPrismaClient(),
  rateLimitDecision?: TrpcContext["rateLimitDecision"],
): TrpcContext {
  return trpcContextOf({ header: (name) => req.headers.get(name) }, resHeaders, db, rateLimitDecision);
}

/** What a request looks like to the context, whichever server received it. */
export interface RequestHead {
  /** A header's value, or null (names in any case). */
  header(name: string): string | null;
}

/** The context rules, shared by the Next route and the check path in front of it (node.ts). */
export function trpcContextOf(
  request: RequestHead,
  resHeaders: Headers,
  db: PrismaClient,
  rateLimitDecision?: TrpcContext["rateLimitDecision"],
): TrpcContext {
  const config = getConfig();
  return {
    ...(rateLimitDecision ? { rateLimitDecision } : {}),
    db,
    apiKey: request.header(API_KEY_HEADER),
    sessionId: readSessionCookie(request.header("cookie")),
    resHeaders,
    secure: cookieIsSecure(config.server, request.header("x-forwarded-proto")),
    sessions: config.session,
  };
}
