"use client";

import { skipToken, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/trpc/react";
import { ErrorNotice } from "./status";

/** Would a call from this number to this agent be refused? The same question the telephony side asks. */
export function CheckNumberForm({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const [number, setNumber] = useState("");
  const [checked, setChecked] = useState<string>();
  const check = useQuery(
    trpc.blockList.check.queryOptions(checked === undefined ? skipToken : { agentId, number: checked }),
  );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = number.trim();
    if (trimmed === checked) void check.refetch();
    else setChecked(trimmed);
  };

  return (
    <section className="card" aria-labelledby="check-title">
      <h2 id="check-title">Check a number</h2>
      <form onSubmit={submit} className="inline-form">
        <div className="field grow">
          <label htmlFor="number-to-check">Caller number</label>
          <input
            id="number-to-check"
            type="tel"
            spellCheck={false}
            required
            placeholder="+1 415 555 2671"
            value={number}
            onChange={(event) => setNumber(event.target.value)}
          />
        </div>
        <button type="submit">Check</button>
      </form>
      <div aria-live="polite">
        {checked === undefined ? null : check.isPending ? (
          <p className="muted">Checking…</p>
        ) : check.isError ? (
          <ErrorNotice error={check.error} onRetry={() => check.refetch()} />
        ) : check.data.e164 === null ? (
          <p className="verdict verdict-invalid">
            <code className="as-typed">{checked}</code> is not a valid phone number. Write it internationally,
            with a leading +.
          </p>
        ) : check.data.blocked ? (
          <p className="verdict verdict-blocked">
            <strong>Blocked.</strong> Calls from <code>{check.data.e164}</code> to this agent are refused.
          </p>
        ) : (
          <p className="verdict verdict-allowed">
            <strong>Not blocked.</strong> Calls from <code>{check.data.e164}</code> get through.
          </p>
        )}
      </div>
    </section>
  );
}
