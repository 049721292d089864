"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError, hasErrorCode } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

/** The key goes to the server once; it answers with an httpOnly cookie, so the page never stores the key. */
export function SignInForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [apiKey, setApiKey] = useState("");
  const signIn = useMutation(
    trpc.session.signIn.mutationOptions({
      onSuccess: (user) => queryClient.setQueryData(trpc.session.me.queryKey(), user),
    }),
  );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    signIn.mutate({ apiKey: apiKey.trim() });
  };

  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p className="muted">
        Use an API key made with the admin CLI (<code>pnpm cli key create</code>).
      </p>
      <form onSubmit={submit} className="stack">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
          aria-describedby={signIn.isError ? "sign-in-error" : undefined}
        />
        <button type="submit" className="button-primary" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
        {signIn.isError ? (
          <p id="sign-in-error" className="notice notice-error" role="alert">
            {hasErrorCode(signIn.error, "UNAUTHORIZED")
              ? "That API key was not accepted: it is unknown or has been revoked."
              : describeError(signIn.error)}
          </p>
        ) : null}
      </form>
    </section>
  );
}
