import { ENTRY_REASONS, type EntryReason } from "@blocklist/core/fields";
import { REASON_LABELS } from "~/entries/words";

/** An entry's reason, or none. */
export function ReasonField({
  id,
  value,
  onChange,
}: {
  id: string;
  value: EntryReason | null;
  onChange: (reason: EntryReason | null) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Reason</label>
      <select
        id={id}
        value={value ?? ""}
        onChange={(event) => onChange(event.target.value === "" ? null : (event.target.value as EntryReason))}
      >
        <option value="">None</option>
        {ENTRY_REASONS.map((reason) => (
          <option key={reason} value={reason}>
            {REASON_LABELS[reason]}
          </option>
        ))}
      </select>
    </div>
  );
}
