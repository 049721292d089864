import { parse, serialize } from "cookie";

/** The web UI's session: the API key the person signed in with, in a cookie scripts cannot read. */
export const SESSION_COOKIE = "bl_session";
const SESSION_MAX_AGE_SECONDS = 60 * 60 * 12;

export function readSessionCookie(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  return parse(cookieHeader)[SESSION_COOKIE] ?? null;
}

/**
 * httpOnly keeps the key away from scripts, SameSite=Strict keeps other sites from sending it (CSRF), Secure
 * whenever the page was served over HTTPS.
 */
export function sessionCookie(apiKey: string, secure: boolean): string {
  return serialize(SESSION_COOKIE, apiKey, {
    httpOnly: true,
    sameSite: "strict",
    secure,
    path: "/",
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
}

export function clearedSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, "", { httpOnly: true, sameSite: "strict", secure, path: "/", maxAge: 0 });
}
