import { ENTRY_ACTIONS, ENTRY_DIRECTIONS, ENTRY_MATCHES, ENTRY_REASONS } from "@blocklist/core/fields";
import { ACTION_LABELS, DIRECTION_LABELS, MATCH_LABELS, REASON_LABELS } from "~/entries/words";

export interface Filters {
  match?: (typeof ENTRY_MATCHES)[number] | undefined;
  action?: (typeof ENTRY_ACTIONS)[number] | undefined;
  direction?: (typeof ENTRY_DIRECTIONS)[number] | undefined;
  reason?: (typeof ENTRY_REASONS)[number] | undefined;
  /** As typed; the digits in it are searched. */
  search: string;
}

/** Narrow the list by kind, action, direction, reason and digits. */
export function EntryFilters({
  filters,
  onChange,
}: {
  filters: Filters;
  onChange: (filters: Filters) => void;
}) {
  return (
    <fieldset className="filters">
      <legend className="visually-hidden">Filters</legend>
      <Choice
        id="filter-match"
        label="Kind"
        value={filters.match}
        options={ENTRY_MATCHES}
        labels={MATCH_LABELS}
        onChange={(match) => onChange({ ...filters, match })}
      />
      <Choice
        id="filter-action"
        label="Action"
        value={filters.action}
        options={ENTRY_ACTIONS}
        labels={ACTION_LABELS}
        onChange={(action) => onChange({ ...filters, action })}
      />
      <Choice
        id="filter-direction"
        label="Direction"
        value={filters.direction}
        options={ENTRY_DIRECTIONS}
        labels={DIRECTION_LABELS}
        onChange={(direction) => onChange({ ...filters, direction })}
      />
      <Choice
        id="filter-reason"
        label="Reason"
        value={filters.reason}
        options={ENTRY_REASONS}
        labels={REASON_LABELS}
        onChange={(reason) => onChange({ ...filters, reason })}
      />
      <div className="field grow">
        <label htmlFor="search">Search by digits</label>
        <input
          id="search"
          type="search"
          inputMode="numeric"
          maxLength={64}
          placeholder="e.g. 415555"
          value={filters.search}
          onChange={(event) => onChange({ ...filters, search: event.target.value })}
        />
      </div>
    </fieldset>
  );
}

function Choice<Value extends string>({
  id,
  label,
  value,
  options,
  labels,
  onChange,
}: {
  id: string;
  label: string;
  value: Value | undefined;
  options: readonly Value[];
  labels: Record<Value, string>;
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
        <option value="">All</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {labels[option]}
          </option>
        ))}
      </select>
    </div>
  );
}
