"use client";

import { useState } from "react";
import type { ListedEntry } from "./entriesView";
import { EntryEditRow } from "./entryEditRow";
import { EntryRow, type EntryRowProps } from "./entryRow";

// Without write controls a row has no check box and no actions.
const COLUMNS = 8;

/** One page of entries; with `onRemove`, each can be selected, changed in place, or removed. */
export function EntryTable({
  entries,
  selected,
  onToggle,
  onRemove,
  busy,
}: {
  entries: ListedEntry[];
  selected: ReadonlyMap<string, unknown>;
  onToggle: (entries: ListedEntry[], select: boolean) => void;
  onRemove?: ((entries: ListedEntry[]) => void) | undefined;
  busy: boolean;
}) {
  const [editing, setEditing] = useState<string>();
  const editable = onRemove !== undefined;
  const wholePageSelected = entries.length > 0 && entries.every((entry) => selected.has(entry.id));
  return (
    // A region that scrolls sideways on narrow screens must be reachable by keyboard to be scrolled.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region is focusable so keyboards can scroll it
    <section className="table-scroll" aria-label="Entries, scrollable" tabIndex={0}>
      <table className="entries" aria-label="Entries" aria-busy={busy}>
        <thead>
          <tr>
            {editable ? (
              <th scope="col" className="select-cell">
                <label>
                  <input
                    type="checkbox"
                    checked={wholePageSelected}
                    onChange={(event) => onToggle(entries, event.target.checked)}
                  />
                  <span className="visually-hidden">Select every entry on this page</span>
                </label>
              </th>
            ) : null}
            <th scope="col">Matches</th>
            <th scope="col">Action</th>
            <th scope="col">Direction</th>
            <th scope="col">Reason</th>
            <th scope="col">Note</th>
            <th scope="col">Expires</th>
            <th scope="col">Hits</th>
            <th scope="col">Last hit</th>
            {editable ? (
              <th scope="col" className="action-cell">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <EntryRows
              key={entry.id}
              entry={entry}
              selected={selected.has(entry.id)}
              editing={editing === entry.id}
              onToggle={(select) => onToggle([entry], select)}
              onEdit={editable ? (open) => setEditing(open ? entry.id : undefined) : undefined}
              onRemove={onRemove ? () => onRemove([entry]) : undefined}
              columns={editable ? COLUMNS + 2 : COLUMNS}
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function EntryRows({ entry, editing, onEdit, columns, ...row }: EntryRowProps & { columns: number }) {
  return (
    <>
      <EntryRow entry={entry} editing={editing} onEdit={onEdit} {...row} />
      {editing && onEdit ? (
        <EntryEditRow entry={entry} columns={columns} onClose={() => onEdit(false)} />
      ) : null}
    </>
  );
}
