import { ENTRY_REASONS, type EntryReason } from "@blocklist/core/fields";
import { REASON_LABELS } from "~/entries/words";
import { ChoiceField } from "./choiceField";

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
    <ChoiceField
      id={id}
      label="Reason"
      value={value ?? undefined}
      options={ENTRY_REASONS}
      labels={REASON_LABELS}
      emptyLabel="None"
      onChange={(reason) => onChange(reason ?? null)}
    />
  );
}
