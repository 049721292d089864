"use client";

import type { RouterOutputs } from "@blocklist/api/trpc";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";
import { ChangeSummary } from "./changeSummary";
import { formatCount, plural } from "./format";
import { NumberTable } from "./numberTable";
import { Pager } from "./pager";
import { ErrorNotice, Loading } from "./status";
import { useCursorPages } from "./useCursorPages";
import { useDebouncedValue } from "./useDebouncedValue";

// A page the browser renders at once; 100,000 numbers are a thousand pages, never one answer.
const PAGE_SIZE = 100;
const SEARCH_DELAY_MS = 250;

type RemoveResult = RouterOutputs["blockList"]["remove"];

/** The agent's list: count, search, pages, and (for read-write keys) removing one or several numbers. */
export function BlockListView({
  agent,
  readOnly,
}: {
  agent: { id: string; name: string };
  readOnly: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [searchText, setSearchText] = useState("");
  const search = useDebouncedValue(searchText.trim(), SEARCH_DELAY_MS);
  const pages = useCursorPages(search);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [removeResult, setRemoveResult] = useState<RemoveResult>();

  const page = useQuery(
    trpc.blockList.list.queryOptions(
      { agentId: agent.id, limit: PAGE_SIZE, cursor: pages.cursor, search: search || undefined },
      { placeholderData: keepPreviousData },
    ),
  );
  const remove = useMutation(
    trpc.blockList.remove.mutationOptions({
      onSuccess: (answer) => {
        setRemoveResult(answer);
        setSelected((current) => new Set([...current].filter((number) => !answer.removed.includes(number))));
        return queryClient.invalidateQueries(trpc.blockList.pathFilter());
      },
    }),
  );

  const confirmAndRemove = (numbers: string[]) => {
    const what = numbers.length === 1 ? numbers[0] : plural(numbers.length, "number");
    if (window.confirm(`Remove ${what} from the block list of ${agent.name}?`)) {
      remove.mutate({ agentId: agent.id, numbers });
    }
  };
  const toggle = (number: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(number)) next.add(number);
      return next;
    });
  const togglePage = (select: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const number of page.data?.blockList ?? []) {
        if (select) next.add(number);
        else next.delete(number);
      }
      return next;
    });

  const data = page.data;
  const shownTotal = data ? (data.matching ?? data.count) : 0;
  const nextCursor = data?.nextCursor;

  return (
    <section className="card list" aria-labelledby="list-title">
      <div className="list-head">
        <h2 id="list-title">Blocked numbers · {agent.name}</h2>
        {data ? (
          <p className="count" role="status">
            {data.matching === undefined
              ? `${plural(data.count, "number")} blocked`
              : `${formatCount(data.matching)} of ${plural(data.count, "number")} match`}
          </p>
        ) : null}
      </div>

      <div className="toolbar">
        <div className="field grow">
          <label htmlFor="search">Search by digits</label>
          <input
            id="search"
            type="search"
            inputMode="numeric"
            maxLength={64}
            placeholder="e.g. 415555"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
          />
        </div>
        {!readOnly ? (
          <button
            type="button"
            className="danger"
            disabled={selected.size === 0 || remove.isPending}
            onClick={() => confirmAndRemove([...selected])}
          >
            Remove selected ({formatCount(selected.size)})
          </button>
        ) : null}
      </div>

      {remove.isError ? <ErrorNotice error={remove.error} /> : null}
      {removeResult && !remove.isError ? (
        <ChangeSummary
          verb="Removed"
          done={removeResult.removed}
          failed={removeResult.failed}
          failedCaption="Not removed"
        />
      ) : null}

      {page.isPending ? (
        <Loading what="the block list" />
      ) : page.isError ? (
        <ErrorNotice error={page.error} onRetry={() => page.refetch()} />
      ) : page.data.blockList.length === 0 ? (
        <p className="empty">
          {data?.matching !== undefined
            ? `No blocked number contains the digits “${search}”.`
            : pages.pageNumber > 1
              ? "No more numbers on this page."
              : readOnly
                ? "No numbers are blocked for this agent."
                : "No numbers are blocked for this agent yet. Add some with the form."}
        </p>
      ) : (
        <NumberTable
          numbers={page.data.blockList}
          selected={selected}
          onToggle={toggle}
          onTogglePage={togglePage}
          onRemove={readOnly ? undefined : confirmAndRemove}
          busy={page.isFetching}
        />
      )}

      {data && (pages.pageNumber > 1 || nextCursor) ? (
        <Pager
          pageNumber={pages.pageNumber}
          pageCount={Math.ceil(shownTotal / PAGE_SIZE)}
          onPrevious={pages.pageNumber > 1 ? pages.previous : undefined}
          onNext={nextCursor && !page.isPlaceholderData ? () => pages.next(nextCursor) : undefined}
        />
      ) : null}
    </section>
  );
}
