"use client";

import type { RouterOutputs } from "@blocklist/api/trpc";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { entriesCsvExportUrl } from "~/csv/entriesCsv";
import { matchText } from "~/entries/words";
import { useTRPC } from "~/trpc/react";
import { CsvImportForm } from "./csvImportForm";
import { EntryFilters, type Filters } from "./entryFilters";
import { EntryTable } from "./entryTable";
import { formatCount, plural } from "./format";
import type { ListRef } from "./listRef";
import { Pager } from "./pager";
import { RemovalSummary } from "./removalSummary";
import { ErrorNotice, Loading } from "./status";
import { useCursorPages } from "./useCursorPages";
import { useDebouncedValue } from "./useDebouncedValue";

// A page the browser renders at once; 100,000 entries are a thousand pages, each one keyset query.
const PAGE_SIZE = 100;
const SEARCH_DELAY_MS = 250;

export type ListedEntry = RouterOutputs["entries"]["list"]["entries"][number];
type RemoveResult = RouterOutputs["entries"]["remove"];

const hasFilter = ({ search, ...choices }: Filters) =>
  search.replace(/\D/g, "") !== "" || Object.values(choices).some((value) => value !== undefined);

/** A list's entries: filters, count, pages, and (for read-write keys) changing and removing entries. */
export function EntriesView({
  list,
  listName,
  readOnly,
}: {
  list: ListRef;
  listName: string;
  readOnly: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<Filters>({ search: "" });
  const search = useDebouncedValue(filters.search.replace(/\D/g, ""), SEARCH_DELAY_MS);
  const { search: _typed, ...choices } = filters;
  const exportFilters = { ...choices, ...(search ? { search } : {}) };
  const query = { ...list, ...exportFilters };
  const pages = useCursorPages(JSON.stringify(query));
  // Selected entries by id, kept across pages and filters: "Remove selected" removes every one of them.
  const [selected, setSelected] = useState<ReadonlyMap<string, ListedEntry>>(new Map());
  const [removeResult, setRemoveResult] = useState<RemoveResult>();

  const page = useQuery(
    trpc.entries.list.queryOptions(
      { ...query, limit: PAGE_SIZE, cursor: pages.cursor },
      { placeholderData: keepPreviousData },
    ),
  );
  // The whole list's size beside the filtered count: "3 of 100,000 entries match".
  const whole = useQuery(
    trpc.entries.list.queryOptions({ ...list, limit: 1 }, { enabled: hasFilter(filters) }),
  );
  const remove = useMutation(
    trpc.entries.remove.mutationOptions({
      onSuccess: (answer) => {
        setRemoveResult(answer);
        setSelected((current) => {
          const next = new Map(current);
          for (const id of answer.removed) next.delete(id);
          return next;
        });
        return Promise.all([
          queryClient.invalidateQueries(trpc.entries.pathFilter()),
          queryClient.invalidateQueries(trpc.blockList.pathFilter()),
        ]);
      },
    }),
  );

  const confirmAndRemove = (entries: ListedEntry[]) => {
    const what =
      entries.length === 1 && entries[0]
        ? `the entry for ${matchText(entries[0]).text}`
        : plural(entries.length, "entry", "entries");
    if (window.confirm(`Remove ${what} from the list of ${listName}?`)) {
      remove.mutate({ ids: entries.map((entry) => entry.id) });
    }
  };
  const shown = page.data?.entries ?? [];
  const toggle = (entries: ListedEntry[], select: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      for (const entry of entries) {
        if (select) next.set(entry.id, entry);
        else next.delete(entry.id);
      }
      return next;
    });

  const data = page.data;
  const nextCursor = data?.nextCursor;
  const filtered = hasFilter(filters);

  return (
    <section className="card list" aria-labelledby="list-title">
      <div className="list-head">
        <h3 id="list-title">Entries</h3>
        {data ? (
          <p className="count" role="status">
            {!filtered
              ? plural(data.count, "entry", "entries")
              : whole.data
                ? `${formatCount(data.count)} of ${plural(whole.data.count, "entry", "entries")} match`
                : `${formatCount(data.count)} match`}
          </p>
        ) : null}
      </div>

      <EntryFilters filters={filters} onChange={setFilters} />

      <div className="toolbar">
        {!readOnly ? (
          <button
            type="button"
            className="danger"
            disabled={selected.size === 0 || remove.isPending}
            onClick={() => confirmAndRemove([...selected.values()])}
          >
            Remove selected ({formatCount(selected.size)})
          </button>
        ) : null}
        {/* The whole list with the filters shown, as a file: the browser sends the session cookie. */}
        <a className="button" href={entriesCsvExportUrl(list, exportFilters)} download>
          Export CSV{filtered ? " (filtered)" : ""}
        </a>
      </div>
      {!readOnly ? <CsvImportForm list={list} listName={listName} /> : null}

      {remove.isError ? <ErrorNotice error={remove.error} /> : null}
      {removeResult && !remove.isError ? <RemovalSummary result={removeResult} /> : null}

      {page.isPending ? (
        <Loading what="the entries" />
      ) : page.isError ? (
        <ErrorNotice error={page.error} onRetry={() => page.refetch()} />
      ) : shown.length === 0 ? (
        <p className="empty">
          {filtered
            ? "No entry matches these filters."
            : pages.pageNumber > 1
              ? "No more entries on this page."
              : readOnly
                ? "This list has no entries."
                : "This list has no entries yet. Add some with the form."}
        </p>
      ) : (
        <EntryTable
          entries={shown}
          selected={selected}
          onToggle={toggle}
          onRemove={readOnly ? undefined : confirmAndRemove}
          busy={page.isFetching}
        />
      )}

      {data && (pages.pageNumber > 1 || nextCursor) ? (
        <Pager
          pageNumber={pages.pageNumber}
          pageCount={Math.ceil(data.count / PAGE_SIZE)}
          onPrevious={pages.pageNumber > 1 ? pages.previous : undefined}
          onNext={nextCursor && !page.isPlaceholderData ? () => pages.next(nextCursor) : undefined}
        />
      ) : null}
    </section>
  );
}
