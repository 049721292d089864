"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect } from "react";
import { hasErrorCode } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { SessionBar } from "./sessionBar";
import { SignInForm } from "./signInForm";
import { ErrorNotice, Loading } from "./status";
import { type View, Workspace } from "./workspace";

/** Signed out: the sign-in form. Signed in: who you are, and the list the address names. */
export function BlockListApp({ view }: { view: View }) {
  const trpc = useTRPC();
  const session = useQuery(trpc.session.me.queryOptions());
  useSessionEndsOnUnauthorized();

  const user = session.data;
  let content: ReactNode;
  if (session.isPending) content = <Loading what="your session" />;
  else if (session.isError) content = <ErrorNotice error={session.error} onRetry={() => session.refetch()} />;
  else if (!user) content = <SignInForm />;
  else content = <Workspace view={view} readOnly={user.readOnly} />;

  return (
    <>
      <header className="topbar">
        <h1>Agent block list</h1>
        {/* A plain link: /docs is a route handler, not a React page, and needs a full page load. */}
        <a href="/docs">API reference</a>
        {user ? <SessionBar user={user} /> : null}
      </header>
      <main className="content">{content}</main>
    </>
  );
}

/** A key revoked while the page is open: the next refused request sends the person back to sign in. */
function useSessionEndsOnUnauthorized() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    const refreshSession = (error: unknown) => {
      const signedIn = Boolean(queryClient.getQueryData(trpc.session.me.queryKey()));
      if (signedIn && hasErrorCode(error, "UNAUTHORIZED")) {
        void queryClient.invalidateQueries(trpc.session.me.queryFilter());
      }
    };
    const unsubscribeQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") refreshSession(event.action.error);
    });
    const unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") refreshSession(event.action.error);
    });
    return () => {
      unsubscribeQueries();
      unsubscribeMutations();
    };
  }, [queryClient, trpc]);
}
