"use client";

import { EXPIRES_IN_CHOICES, type ExpiryChoice } from "~/entries/expiryChoice";

/** An expiry as people choose it: a duration from now, a date and time, never, or (a change) as it is. */
export function ExpiryField({
  id,
  value,
  onChange,
  allowKeep,
  error,
}: {
  id: string;
  value: ExpiryChoice;
  onChange: (value: ExpiryChoice) => void;
  allowKeep: boolean;
  /** Why the service refused the expiry, shown right under it. */
  error?: string | undefined;
}) {
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>Expires</label>
      <select
        id={id}
        value={value.choice}
        onChange={(event) => onChange({ ...value, choice: event.target.value })}
        aria-describedby={error ? errorId : undefined}
        aria-invalid={error ? true : undefined}
      >
        {allowKeep ? <option value="keep">As it is</option> : null}
        <option value="never">Never</option>
        {EXPIRES_IN_CHOICES.map(([expiresIn, label]) => (
          <option key={expiresIn} value={expiresIn}>
            {label}
          </option>
        ))}
        <option value="date">On a date…</option>
      </select>
      {value.choice === "date" ? (
        <>
          <label htmlFor={`${id}-date`}>Expiry date and time</label>
          <input
            id={`${id}-date`}
            type="datetime-local"
            value={value.date}
            onChange={(event) => onChange({ ...value, date: event.target.value })}
            aria-describedby={error ? errorId : undefined}
            aria-invalid={error ? true : undefined}
          />
        </>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
