import { formatCount, plural } from "./format";

interface Failure {
  number: string;
  reason: string;
}

const SHOWN_DONE = 20;

/** What an add or remove did: the numbers it changed, and each refused input as typed, with its reason. */
export function ChangeSummary({
  verb,
  done,
  failed,
  failedCaption,
}: {
  verb: string;
  done: string[];
  failed: Failure[];
  failedCaption: string;
}) {
  const shown = done.slice(0, SHOWN_DONE);
  return (
    <div className="summary" role="status">
      <p>
        <strong>
          {verb} {plural(done.length, "number")}
        </strong>
        {shown.length > 0 ? `: ${shown.join(", ")}` : null}
        {done.length > shown.length ? ` and ${formatCount(done.length - shown.length)} more` : null}.
      </p>
      {failed.length > 0 ? (
        <table className="failures">
          <caption>
            {failedCaption} ({formatCount(failed.length)})
          </caption>
          <thead>
            <tr>
              <th scope="col">You entered</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {failed.map((failure, index) => (
              // The same input may fail twice (a duplicate), so its position is part of the key.
              <tr key={`${index}:${failure.number}`}>
                <td>
                  <code className="as-typed">{failure.number}</code>
                </td>
                <td>{failure.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
