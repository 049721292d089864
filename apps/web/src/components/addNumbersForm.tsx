"use client";

import type { RouterOutputs } from "@blocklist/api/trpc";
import { splitPastedNumbers } from "@blocklist/core/paste";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useState } from "react";
import { useTRPC } from "~/trpc/react";
import { ChangeSummary } from "./changeSummary";
import { plural } from "./format";
import { ErrorNotice } from "./status";

type AddResult = RouterOutputs["blockList"]["add"];

/** Paste many numbers at once; the server decides which are valid and says why the others are not. */
export function AddNumbersForm({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [result, setResult] = useState<AddResult>();
  const add = useMutation(
    trpc.blockList.add.mutationOptions({
      onSuccess: (answer) => {
        setResult(answer);
        // Keep the text while something failed, so the person can correct it.
        if (answer.failed.length === 0) setText("");
        return queryClient.invalidateQueries(trpc.blockList.pathFilter());
      },
    }),
  );
  const numbers = splitPastedNumbers(text);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (numbers.length > 0) add.mutate({ agentId, numbers });
  };
  // Enter makes a new line in the box; Ctrl+Enter (or ⌘+Enter) submits.
  const submitOnModifiedEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) event.currentTarget.form?.requestSubmit();
  };

  return (
    <section className="card" aria-labelledby="add-title">
      <h2 id="add-title">Block numbers</h2>
      <form onSubmit={submit} className="stack">
        <label htmlFor="numbers-to-block">Numbers to block</label>
        <textarea
          id="numbers-to-block"
          rows={4}
          spellCheck={false}
          placeholder={"+1 415 555 2671\n+44 20 7946 0958"}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={submitOnModifiedEnter}
          aria-describedby="numbers-to-block-hint"
        />
        <p id="numbers-to-block-hint" className="hint">
          International format with a leading +. One per line, or separated by commas or semicolons.
          Ctrl+Enter submits.
        </p>
        <button type="submit" className="button-primary" disabled={add.isPending || numbers.length === 0}>
          {add.isPending
            ? "Blocking…"
            : numbers.length > 0
              ? `Block ${plural(numbers.length, "number")}`
              : "Block"}
        </button>
      </form>
      {add.isError ? <ErrorNotice error={add.error} /> : null}
      {result && !add.isError ? (
        <ChangeSummary
          verb="Blocked"
          done={result.added}
          failed={result.failed}
          failedCaption="Not blocked"
        />
      ) : null}
    </section>
  );
}
