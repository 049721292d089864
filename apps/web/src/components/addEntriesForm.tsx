"use client";

import type { RouterOutputs } from "@blocklist/api/trpc";
import type { EntryAction, EntryDirection, EntryMatch, EntryReason } from "@blocklist/core/fields";
import { splitPastedNumbers } from "@blocklist/core/paste";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useState } from "react";
import { type ExpiryChoice, expiryInput } from "~/entries/expiryChoice";
import { ACTION_LABELS, DIRECTION_LABELS, MATCH_LABELS } from "~/entries/words";
import { issueAt } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { CreationSummary } from "./creationSummary";
import { ExpiryField } from "./expiryField";
import { plural } from "./format";
import type { ListRef } from "./listRef";
import { NoteField } from "./noteField";
import { ReasonField } from "./reasonField";
import { ErrorNotice } from "./status";

type CreateResult = RouterOutputs["entries"]["create"];

const KINDS: { match: EntryMatch; label: string }[] = [
  { match: "number", label: "Numbers" },
  { match: "prefix", label: "Prefixes" },
  { match: "withheld", label: MATCH_LABELS.withheld },
  { match: "any", label: MATCH_LABELS.any },
];
const INVALID_EXPIRY = "Invalid expiry";

/**
 * Add entries: many numbers or prefixes pasted at once, or the withheld / every-caller entry, each to block or
 * allow, with a reason, a note and an expiry. The service judges every input and says why it refused one.
 */
export function AddEntriesForm({ list, listName }: { list: ListRef; listName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [match, setMatch] = useState<EntryMatch>("number");
  const [text, setText] = useState("");
  const [action, setAction] = useState<EntryAction>("block");
  // Left to the service until chosen: its default follows the reason (outbound for do_not_call).
  const [direction, setDirection] = useState<EntryDirection>();
  const [reason, setReason] = useState<EntryReason | null>(null);
  const [note, setNote] = useState("");
  const [expiry, setExpiry] = useState<ExpiryChoice>({ choice: "never", date: "" });
  const [result, setResult] = useState<CreateResult>();
  const create = useMutation(
    trpc.entries.create.mutationOptions({
      onSuccess: (answer) => {
        setResult(answer);
        // Keep the text while something failed, so the person can correct it.
        if (answer.failed.length === 0) setText("");
        return Promise.all([
          queryClient.invalidateQueries(trpc.entries.pathFilter()),
          queryClient.invalidateQueries(trpc.blockList.pathFilter()),
        ]);
      },
    }),
  );

  const takesValues = match === "number" || match === "prefix";
  const values = takesValues ? splitPastedNumbers(text) : [null];
  const shownDirection = direction ?? (reason === "do_not_call" ? "outbound" : "inbound");

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (values.length === 0) return;
    const shared = {
      match,
      action,
      ...(direction ? { direction } : {}),
      ...(reason ? { reason } : {}),
      ...(note.trim() ? { note } : {}),
      ...expiryInput(expiry, undefined),
    };
    create.mutate({
      ...list,
      entries: values.map((value) => (value === null ? shared : { ...shared, value })),
    });
  };
  // Enter makes a new line in the box; Ctrl+Enter (or ⌘+Enter) submits.
  const submitOnModifiedEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) event.currentTarget.form?.requestSubmit();
  };

  // Every entry shares the expiry: when it is refused, it is refused once, next to the expiry.
  const failures = result && !create.isError ? result.failed : [];
  const expiryFailed = failures.some((failure) => failure.reason === INVALID_EXPIRY);
  const valueFailures = failures.filter((failure) => failure.reason !== INVALID_EXPIRY);
  const valueLabel = match === "prefix" ? "Prefixes" : "Numbers";
  const noun = action === "allow" ? "Allow" : "Block";

  return (
    <section className="card" aria-labelledby="add-title">
      <h3 id="add-title">Add entries</h3>
      <p className="muted">To the list of {listName}.</p>
      <form onSubmit={submit} className="stack">
        <fieldset className="choices">
          <legend>Match</legend>
          {KINDS.map((kind) => (
            <label key={kind.match} className="choice">
              <input
                type="radio"
                name="add-match"
                value={kind.match}
                checked={match === kind.match}
                onChange={() => setMatch(kind.match)}
              />
              {kind.label}
            </label>
          ))}
        </fieldset>
        {takesValues ? (
          <div className="field">
            <label htmlFor="values-to-add">{valueLabel}</label>
            <textarea
              id="values-to-add"
              rows={4}
              spellCheck={false}
              placeholder={match === "prefix" ? "+1 900\n+44 70" : "+1 415 555 2671\n+44 20 7946 0958"}
              value={text}
              onChange={(event) => setText(event.target.value)}
              onKeyDown={submitOnModifiedEnter}
              aria-describedby={valueFailures.length > 0 ? "values-hint add-failures" : "values-hint"}
            />
            <p id="values-hint" className="hint">
              International format with a leading +. One per line, or separated by commas or semicolons.
              Ctrl+Enter submits.
            </p>
          </div>
        ) : null}
        {valueFailures.length > 0 ? <CreationSummary id="add-failures" failures={valueFailures} /> : null}
        <div className="field-row">
          <fieldset className="choices">
            <legend>Action</legend>
            {(["block", "allow"] as const).map((choice) => (
              <label key={choice} className="choice">
                <input
                  type="radio"
                  name="add-action"
                  value={choice}
                  checked={action === choice}
                  onChange={() => setAction(choice)}
                />
                {ACTION_LABELS[choice]}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor="add-direction">Direction</label>
            <select
              id="add-direction"
              value={shownDirection}
              onChange={(event) => setDirection(event.target.value as EntryDirection)}
            >
              <option value="inbound">{DIRECTION_LABELS.inbound}: calls to the agent</option>
              <option value="outbound">{DIRECTION_LABELS.outbound}: calls the agent makes</option>
              <option value="both">{DIRECTION_LABELS.both}</option>
            </select>
          </div>
          <ReasonField id="add-reason" value={reason} onChange={setReason} />
          <NoteField id="add-note" value={note} onChange={setNote} error={issueAt(create.error, "note")} />
          <ExpiryField
            id="add-expiry"
            value={expiry}
            onChange={setExpiry}
            allowKeep={false}
            error={
              expiryFailed
                ? `${INVALID_EXPIRY}: choose a time in the future, at most 10 years ahead.`
                : undefined
            }
          />
        </div>
        <button type="submit" className="button-primary" disabled={create.isPending || values.length === 0}>
          {create.isPending
            ? "Adding…"
            : takesValues
              ? `${noun} ${plural(values.length, match === "prefix" ? "prefix" : "number", match === "prefix" ? "prefixes" : "numbers")}`
              : `${noun} ${MATCH_LABELS[match].toLowerCase()}`}
        </button>
      </form>
      {create.isError ? <ErrorNotice error={create.error} /> : null}
      {result && !create.isError ? (
        <p className="summary" role="status">
          <strong>Added {plural(result.created.length, "entry", "entries")}.</strong>
          {result.failed.length > 0
            ? ` ${plural(result.failed.length, "input was", "inputs were")} not added.`
            : null}
        </p>
      ) : null}
    </section>
  );
}
