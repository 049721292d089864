"use client";

import type { EntryReason } from "@blocklist/core/fields";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { type ExpiryChoice, expiryInput } from "~/entries/expiryChoice";
import { matchText } from "~/entries/words";
import { hasErrorCode, issueAt } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import type { ListedEntry } from "./entriesView";
import { ExpiryField } from "./expiryField";
import { NoteField } from "./noteField";
import { ReasonField } from "./reasonField";
import { ErrorNotice } from "./status";

/** Change an entry's reason, note or expiry in place, right under it; Escape or Cancel leaves it as it was. */
export function EntryEditRow({
  entry,
  columns,
  onClose,
}: {
  entry: ListedEntry;
  columns: number;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState<EntryReason | null>(entry.reason);
  const [note, setNote] = useState(entry.note ?? "");
  const [expiry, setExpiry] = useState<ExpiryChoice>({ choice: "keep", date: "" });
  const update = useMutation(
    trpc.entries.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.entries.pathFilter());
        onClose();
      },
    }),
  );
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector("select")?.focus(), []);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({
      id: entry.id,
      reason,
      note: note.trim() === "" ? null : note,
      ...expiryInput(expiry, null),
    });
  };
  const closeOnEscape = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Escape") onClose();
  };
  const badRequest = hasErrorCode(update.error, "BAD_REQUEST");
  const expiryError = issueAt(update.error, "expiresAt", "expiresIn");
  const noteError = issueAt(update.error, "note");
  const id = `edit-${entry.id}`;

  return (
    <tr className="edit-row">
      <td colSpan={columns}>
        <form
          ref={form}
          className="inline-form"
          onSubmit={submit}
          onKeyDown={closeOnEscape}
          aria-label={`Change ${matchText(entry).text}`}
        >
          <ReasonField id={`${id}-reason`} value={reason} onChange={setReason} />
          <NoteField id={`${id}-note`} value={note} onChange={setNote} error={noteError} />
          <ExpiryField
            id={`${id}-expiry`}
            value={expiry}
            onChange={setExpiry}
            allowKeep
            error={expiryError}
          />
          <div className="form-actions">
            <button type="submit" className="button-primary" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save"}
            </button>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
        {update.isError && !(badRequest && (expiryError || noteError)) ? (
          <ErrorNotice error={update.error} />
        ) : null}
      </td>
    </tr>
  );
}
