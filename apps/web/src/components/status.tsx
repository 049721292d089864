import { describeError } from "~/trpc/errors";

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <span>{describeError(error)}</span>
      {onRetry ? (
        <button type="button" className="button-link" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
