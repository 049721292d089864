"use client";

import type { RouterOutputs } from "@blocklist/api/trpc";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { ErrorNotice } from "./status";

type SessionUser = NonNullable<RouterOutputs["session"]["me"]>;

/** Which key the session uses, and the way out. */
export function SessionBar({ user }: { user: SessionUser }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signOut = useMutation(
    trpc.session.signOut.mutationOptions({
      onSuccess: () => {
        // Nothing of this session may linger for the next person at this screen.
        queryClient.removeQueries(trpc.organizations.pathFilter());
        queryClient.removeQueries(trpc.blockList.pathFilter());
        queryClient.removeQueries(trpc.entries.pathFilter());
        queryClient.setQueryData(trpc.session.me.queryKey(), null);
      },
    }),
  );

  return (
    <div className="session-bar">
      <span className="muted">
        Signed in with key <code>{user.keyPrefix}…</code>
      </span>
      {user.readOnly ? <span className="badge">Read-only</span> : null}
      <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        Sign out
      </button>
      {signOut.isError ? <ErrorNotice error={signOut.error} /> : null}
    </div>
  );
}
