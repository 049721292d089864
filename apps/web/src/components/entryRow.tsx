import { useEffect, useRef } from "react";
import { ACTION_LABELS, DIRECTION_LABELS, matchText, REASON_LABELS } from "~/entries/words";
import type { ListedEntry } from "./entriesView";
import { formatCount } from "./format";
import { MatchCell } from "./matchCell";
import { RelativeTime } from "./relativeTime";

export interface EntryRowProps {
  entry: ListedEntry;
  selected: boolean;
  editing: boolean;
  onToggle: (select: boolean) => void;
  /** Opens or closes the change form; undefined without write controls. */
  onEdit: ((open: boolean) => void) | undefined;
  onRemove: (() => void) | undefined;
}

/** One entry: what it matches and does, why, until when, and how often it decided a call. */
export function EntryRow({ entry, selected, editing, onToggle, onEdit, onRemove }: EntryRowProps) {
  const matched = matchText(entry);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(editing);
  // Back from the edit form, keyboard focus returns to the button that opened it.
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  return (
    <tr className={selected ? "selected" : undefined}>
      {onEdit ? (
        <td className="select-cell">
          <label>
            <input type="checkbox" checked={selected} onChange={(event) => onToggle(event.target.checked)} />
            <span className="visually-hidden">Select {matched.text}</span>
          </label>
        </td>
      ) : null}
      <MatchCell entry={entry} />
      <td>
        <span className={`action action-${entry.action}`}>{ACTION_LABELS[entry.action]}</span>
      </td>
      <td>{DIRECTION_LABELS[entry.direction]}</td>
      <td>{entry.reason ? REASON_LABELS[entry.reason] : "—"}</td>
      <td className="note-cell">{entry.note ?? "—"}</td>
      <td>{entry.expiresAt ? <RelativeTime instant={entry.expiresAt} /> : "Never"}</td>
      <td className="number-cell">{formatCount(entry.hits)}</td>
      <td>{entry.lastHitAt ? <RelativeTime instant={entry.lastHitAt} /> : "Never"}</td>
      {onEdit && onRemove ? (
        <td className="action-cell">
          <button
            ref={editButton}
            type="button"
            className="button-link"
            aria-label={`Change ${matched.text}`}
            aria-expanded={editing}
            onClick={() => onEdit(!editing)}
          >
            Change
          </button>
          <button
            type="button"
            className="button-link danger"
            aria-label={`Remove ${matched.text}`}
            onClick={onRemove}
          >
            Remove
          </button>
        </td>
      ) : null}
    </tr>
  );
}
