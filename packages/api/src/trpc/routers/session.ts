import { signInInputSchema } from "@blocklist/core";
import type { TRPCRouterRecord } from "@trpc/server";
import { authenticateApiKey } from "../../auth";
import { AuthenticationError } from "../../errors";
import { displayPrefix } from "../../keys";
import { authenticateSession, endSession, openSession } from "../../sessions";
import { publicProcedure } from "../init";
import { clearedSessionCookie, sessionCookie } from "../session";

export interface SessionUser {
  uid: string;
  readOnly: boolean;
  keyPrefix: string;
}

export const sessionRouter = {
  /**
   * Verifies the key, then opens a session bound to it: the httpOnly cookie holds the session's id, the key
   * itself goes nowhere. A session the browser still held ends first (one session per browser).
   */
  signIn: publicProcedure.input(signInInputSchema).mutation(async ({ ctx, input }): Promise<SessionUser> => {
    const caller = await authenticateApiKey(ctx.db, input.apiKey);
    await endSession(ctx.db, ctx.sessionId);
    const sessionId = await openSession(ctx.db, caller, ctx.sessions);
    ctx.resHeaders.append("Set-Cookie", sessionCookie(sessionId, ctx.secure, ctx.sessions.maxHours * 3600));
    return { uid: caller.userId, readOnly: caller.readOnly, keyPrefix: displayPrefix(input.apiKey) };
  }),

  /** Deletes the session, so that a copy of the cookie is refused too, then clears the cookie. */
  signOut: publicProcedure.mutation(async ({ ctx }) => {
    await endSession(ctx.db, ctx.sessionId);
    ctx.resHeaders.append("Set-Cookie", clearedSessionCookie(ctx.secure));
    return { signedOut: true as const };
  }),

  /** Who the session belongs to, or null (not signed in, signed out, expired, or its key was revoked). */
  me: publicProcedure.query(async ({ ctx }): Promise<SessionUser | null> => {
    if (!ctx.sessionId) return null;
    try {
      const caller = await authenticateSession(ctx.db, ctx.sessionId, ctx.sessions);
      return { uid: caller.userId, readOnly: caller.readOnly, keyPrefix: caller.keyPrefix };
    } catch (error) {
      if (error instanceof AuthenticationError) return null;
      throw error;
    }
  }),
} satisfies TRPCRouterRecord;
