"use client";

import type { CheckDirection } from "@blocklist/core/fields";
import { skipToken, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeDecision } from "~/entries/decisionWords";
import { useTRPC } from "~/trpc/react";
import { ErrorNotice } from "./status";
import { useEntryRecord } from "./useEntryRecord";

interface Question {
  number: string;
  direction: CheckDirection;
}

/** Would this call be refused, and by which entry? The question the telephony side asks, answered in words. */
export function CheckNumberForm({ agentId, orgName }: { agentId: string; orgName: string }) {
  const trpc = useTRPC();
  const [number, setNumber] = useState("");
  const [direction, setDirection] = useState<CheckDirection>("inbound");
  const [asked, setAsked] = useState<Question>();
  const check = useQuery(
    trpc.blockList.check.queryOptions(asked === undefined ? skipToken : { agentId, ...asked }),
  );
  const record = useEntryRecord(check.data?.entry ?? null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const question = { number: number.trim(), direction };
    if (asked && question.number === asked.number && question.direction === asked.direction)
      void check.refetch();
    else setAsked(question);
  };

  return (
    <section className="card" aria-labelledby="check-title">
      <h3 id="check-title">Check a number</h3>
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="number-to-check">Number</label>
          <input
            id="number-to-check"
            type="tel"
            spellCheck={false}
            placeholder="+1 415 555 2671"
            value={number}
            onChange={(event) => setNumber(event.target.value)}
            aria-describedby="number-to-check-hint"
          />
          <p id="number-to-check-hint" className="hint">
            Leave it empty, or write anything that is not a number, to check a withheld caller ID.
          </p>
        </div>
        <div className="field">
          <label htmlFor="check-direction">Call</label>
          <select
            id="check-direction"
            value={direction}
            onChange={(event) => setDirection(event.target.value as CheckDirection)}
          >
            <option value="inbound">From this number to the agent</option>
            <option value="outbound">From the agent to this number</option>
          </select>
        </div>
        <button type="submit">Check</button>
      </form>
      <div aria-live="polite">
        {asked === undefined ? null : check.isPending ? (
          <p className="muted">Checking…</p>
        ) : check.isError ? (
          <ErrorNotice error={check.error} onRetry={() => check.refetch()} />
        ) : (
          <Verdict
            sentence={
              describeDecision({
                decision: check.data,
                direction: asked.direction,
                orgName,
                record,
                now: new Date(),
              }).sentence
            }
            blocked={check.data.blocked}
            note={check.data.entry?.note ?? null}
            withheldInput={check.data.e164 === null && asked.number !== "" ? asked.number : undefined}
          />
        )}
      </div>
    </section>
  );
}

function Verdict({
  sentence,
  blocked,
  note,
  withheldInput,
}: {
  sentence: string;
  blocked: boolean;
  note: string | null;
  withheldInput: string | undefined;
}) {
  return (
    <div className={`verdict ${blocked ? "verdict-blocked" : "verdict-allowed"}`}>
      <p className="verdict-sentence">{sentence}.</p>
      {note ? <p className="muted">Note: {note}</p> : null}
      {withheldInput !== undefined ? (
        <p className="muted">
          <code className="as-typed">{withheldInput}</code> is not a valid number, so it counts as a withheld
          caller ID.
        </p>
      ) : null}
    </div>
  );
}
