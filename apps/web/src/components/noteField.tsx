import { MAX_NOTE_LENGTH } from "@blocklist/core/fields";

/** An entry's note, at most as long as the service keeps. */
export function NoteField({
  id,
  value,
  onChange,
  error,
}: {
  id: string;
  value: string;
  onChange: (note: string) => void;
  error?: string | undefined;
}) {
  return (
    <div className="field grow">
      <label htmlFor={id}>Note</label>
      <input
        id={id}
        type="text"
        maxLength={MAX_NOTE_LENGTH}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={error ? `${id}-error` : undefined}
        aria-invalid={error ? true : undefined}
      />
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
