import { formatCount } from "./format";

export function Pager({
  pageNumber,
  pageCount,
  onPrevious,
  onNext,
}: {
  pageNumber: number;
  pageCount: number;
  onPrevious?: (() => void) | undefined;
  onNext?: (() => void) | undefined;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={onPrevious} disabled={!onPrevious}>
        Previous
      </button>
      <span className="muted">
        Page {formatCount(pageNumber)} of {formatCount(Math.max(pageNumber, pageCount))}
      </span>
      <button type="button" onClick={onNext} disabled={!onNext}>
        Next
      </button>
    </nav>
  );
}
