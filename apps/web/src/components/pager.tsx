import { formatCount } from "./format";

export function Pager({
  pageNumber,
  pageCount,
  onPrevious,
  onNext,
}: {
  pageNumber: number;
  /** Unknown for a list without a count (history): then only the page number shows. */
  pageCount?: number | undefined;
  onPrevious?: (() => void) | undefined;
  onNext?: (() => void) | undefined;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={onPrevious} disabled={!onPrevious}>
        Previous
      </button>
      <span className="muted">
        Page {formatCount(pageNumber)}
        {pageCount === undefined ? null : ` of ${formatCount(Math.max(pageNumber, pageCount))}`}
      </span>
      <button type="button" onClick={onNext} disabled={!onNext}>
        Next
      </button>
    </nav>
  );
}
