import { getPrismaClient, type PrismaClient } from "@blocklist/db";
import { API_KEY_HEADER } from "../rest/handler";
import { readSessionCookie } from "./session";

/** What every procedure sees. Built once per request; procedures never read headers themselves. */
export interface TrpcContext {
  db: PrismaClient;
  /** The X-Authorization key of a server-to-server caller. */
  apiKey: string | null;
  /** The key kept in the web UI's session cookie. */
  sessionKey: string | null;
  /** Headers added to the answer (the session cookie). */
  resHeaders: Headers;
  /** Whether the request came over HTTPS, so that the cookie gets `Secure`. */
  secure: boolean;
}

export function createTrpcContext(
  { req, resHeaders }: { req: Request; resHeaders: Headers },
  db: PrismaClient = getPrismaClient(),
): TrpcContext {
  const forwardedProto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return {
    db,
    apiKey: req.headers.get(API_KEY_HEADER),
    sessionKey: readSessionCookie(req.headers.get("cookie")),
    resHeaders,
    secure: (forwardedProto ?? new URL(req.url).protocol.replace(":", "")) === "https",
  };
}
