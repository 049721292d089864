import { parse, serialize } from "cookie";

/** The web UI's session cookie: a session id (sessions.ts), never an API key, in a cookie scripts cannot read. */
export const SESSION_COOKIE = "bl_session";

export function readSessionCookie(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  return parse(cookieHeader)[SESSION_COOKIE] ?? null;
}

/**
 * httpOnly keeps the id away from scripts, SameSite=Strict keeps other sites from sending it (CSRF), Secure as
 * the configuration says (`cookieIsSecure`). The browser drops it when the session's absolute lifetime ends.
 */
export function sessionCookie(sessionId: string, secure: boolean, maxAgeSeconds: number): string {
  return serialize(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: "strict",
    secure,
    path: "/",
    maxAge: maxAgeSeconds,
  });
}

export function clearedSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, "", { httpOnly: true, sameSite: "strict", secure, path: "/", maxAge: 0 });
}

/** The settings that decide `Secure` (config: PUBLIC_URL, TRUST_PROXY). */
export interface CookieSecuritySettings {
  publicUrl: string | undefined;
  trustProxy: boolean;
}

/**
 * Whether the session cookie gets `Secure`. The configured public address decides when there is one; else, only
 * behind a trusted proxy, that proxy's `X-Forwarded-Proto` (the last value: a proxy that appends puts its own
 * after whatever the client sent); else not, since this server itself speaks plain HTTP. What a client sends
 * never decides (Next.js even builds a route's request URL from the client's header).
 */
export function cookieIsSecure(settings: CookieSecuritySettings, forwardedProto: string | null): boolean {
  if (settings.publicUrl !== undefined) return new URL(settings.publicUrl).protocol === "https:";
  if (!settings.trustProxy || !forwardedProto) return false;
  return forwardedProto.split(",").at(-1)?.trim().toLowerCase() === "https";
}
