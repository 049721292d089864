import { ENTRY_ACTIONS, ENTRY_DIRECTIONS, ENTRY_MATCHES, ENTRY_REASONS } from "@blocklist/core/fields";
import { ACTION_LABELS, DIRECTION_LABELS, MATCH_LABELS, REASON_LABELS } from "~/entries/words";
import { ChoiceField } from "./choiceField";

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
      <ChoiceField
        emptyLabel="All"
        id="filter-match"
        label="Kind"
        value={filters.match}
        options={ENTRY_MATCHES}
        labels={MATCH_LABELS}
        onChange={(match) => onChange({ ...filters, match })}
      />
      <ChoiceField
        emptyLabel="All"
        id="filter-action"
        label="Action"
        value={filters.action}
        options={ENTRY_ACTIONS}
        labels={ACTION_LABELS}
        onChange={(action) => onChange({ ...filters, action })}
      />
      <ChoiceField
        emptyLabel="All"
        id="filter-direction"
        label="Direction"
        value={filters.direction}
        options={ENTRY_DIRECTIONS}
        labels={DIRECTION_LABELS}
        onChange={(direction) => onChange({ ...filters, direction })}
      />
      <ChoiceField
        emptyLabel="All"
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
