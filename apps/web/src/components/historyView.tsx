"use client";

import type { RouterOutputs } from "@blocklist/api/trpc";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { EVENT_LABELS, eventAuthorText } from "~/entries/historyWords";
import { ACTION_LABELS, REASON_LABELS } from "~/entries/words";
import { useTRPC } from "~/trpc/react";
import type { ListRef } from "./listRef";
import { MatchCell } from "./matchCell";
import { Pager } from "./pager";
import { RelativeTime } from "./relativeTime";
import { ErrorNotice, Loading } from "./status";
import { useCursorPages } from "./useCursorPages";

const PAGE_SIZE = 50;

type EntryEvent = RouterOutputs["entries"]["history"]["events"][number];

/** A list's changes, newest first: when, what happened to which entry, who did it and through what. */
export function HistoryView({ list }: { list: ListRef }) {
  const trpc = useTRPC();
  const pages = useCursorPages(JSON.stringify(list));
  // Changes made elsewhere (REST, the CLI, an expiry) show as soon as the view opens again.
  const page = useQuery(
    trpc.entries.history.queryOptions(
      { ...list, limit: PAGE_SIZE, cursor: pages.cursor },
      { placeholderData: keepPreviousData, staleTime: 0 },
    ),
  );
  const events = page.data?.events ?? [];
  const nextCursor = page.data?.nextCursor;
  return (
    <section className="card list" aria-labelledby="history-title">
      <div className="list-head">
        <h3 id="history-title">History</h3>
        <p className="muted">Every change of this list, newest first.</p>
      </div>
      {page.isPending ? (
        <Loading what="the history" />
      ) : page.isError ? (
        <ErrorNotice error={page.error} onRetry={() => page.refetch()} />
      ) : events.length === 0 ? (
        <p className="empty">{pages.pageNumber > 1 ? "No older changes." : "Nothing has changed yet."}</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region is focusable so keyboards can scroll it
        <section className="table-scroll" aria-label="History, scrollable" tabIndex={0}>
          <table className="entries history" aria-label="History" aria-busy={page.isFetching}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Matches</th>
                <th scope="col">Action</th>
                <th scope="col">Reason</th>
                <th scope="col">Note</th>
                <th scope="col">Expires</th>
                <th scope="col">By</th>
                <th scope="col">Through</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <HistoryRow key={event.id} event={event} />
              ))}
            </tbody>
          </table>
        </section>
      )}
      {page.data && (pages.pageNumber > 1 || nextCursor) ? (
        <Pager
          pageNumber={pages.pageNumber}
          onPrevious={pages.pageNumber > 1 ? pages.previous : undefined}
          onNext={nextCursor && !page.isPlaceholderData ? () => pages.next(nextCursor) : undefined}
        />
      ) : null}
    </section>
  );
}

function HistoryRow({ event }: { event: EntryEvent }) {
  const { entry } = event;
  const author = eventAuthorText(event.by);
  return (
    <tr>
      <td>
        <RelativeTime instant={event.at} />
      </td>
      <td>
        <span className={`event event-${event.type}`}>{EVENT_LABELS[event.type]}</span>
      </td>
      <MatchCell entry={entry} />
      <td>{ACTION_LABELS[entry.action]}</td>
      <td>{entry.reason ? REASON_LABELS[entry.reason] : "—"}</td>
      <td className="note-cell">{entry.note ?? "—"}</td>
      <td>{entry.expiresAt ? <RelativeTime instant={entry.expiresAt} /> : "Never"}</td>
      <td>{author.who}</td>
      <td>{author.through}</td>
    </tr>
  );
}
