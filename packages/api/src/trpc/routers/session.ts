import { signInInputSchema } from "@blocklist/core";
import type { TRPCRouterRecord } from "@trpc/server";
import { authenticateApiKey, type Caller } from "../../auth";
import { AuthenticationError } from "../../errors";
import { displayPrefix } from "../../keys";
import { publicProcedure } from "../init";
import { clearedSessionCookie, sessionCookie } from "../session";

export interface SessionUser {
  uid: string;
  readOnly: boolean;
  keyPrefix: string;
}

const sessionUser = (caller: Caller, apiKey: string): SessionUser => ({
  uid: caller.userId,
  readOnly: caller.readOnly,
  keyPrefix: displayPrefix(apiKey),
});

export const sessionRouter = {
  /** Verifies the key, then keeps it in the httpOnly session cookie: it never reaches the page's storage. */
  signIn: publicProcedure.input(signInInputSchema).mutation(async ({ ctx, input }) => {
    const caller = await authenticateApiKey(ctx.db, input.apiKey);
    ctx.resHeaders.append("Set-Cookie", sessionCookie(input.apiKey, ctx.secure));
    return sessionUser(caller, input.apiKey);
  }),

  signOut: publicProcedure.mutation(({ ctx }) => {
    ctx.resHeaders.append("Set-Cookie", clearedSessionCookie(ctx.secure));
    return { signedOut: true as const };
  }),

  /** Who the session belongs to, or null (not signed in, or the key was revoked meanwhile). */
  me: publicProcedure.query(async ({ ctx }): Promise<SessionUser | null> => {
    if (!ctx.sessionKey) return null;
    try {
      return sessionUser(await authenticateApiKey(ctx.db, ctx.sessionKey), ctx.sessionKey);
    } catch (error) {
      if (error instanceof AuthenticationError) return null;
      throw error;
    }
  }),
} satisfies TRPCRouterRecord;
