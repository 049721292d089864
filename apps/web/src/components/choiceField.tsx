/** A labelled select of one of `options` (in words), or none of them (`undefined`, shown as `emptyLabel`). */
export function ChoiceField<Value extends string>({
  id,
  label,
  value,
  options,
  labels,
  emptyLabel,
  onChange,
}: {
  id: string;
  label: string;
  value: Value | undefined;
  options: readonly Value[];
  labels: Record<Value, string>;
  emptyLabel: string;
  onChange: (value: Value | undefined) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value ?? ""}
        onChange={(event) => onChange(event.target.value === "" ? undefined : (event.target.value as Value))}
      >
        <option value="">{emptyLabel}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {labels[option]}
          </option>
        ))}
      </select>
    </div>
  );
}
