import type { RouterOutputs } from "@blocklist/api/trpc";
import { formatCount, plural } from "./format";

/** What a removal did: how many entries went, and each id it could not remove, with the reason. */
export function RemovalSummary({ result }: { result: RouterOutputs["entries"]["remove"] }) {
  return (
    <div className="summary" role="status">
      <p>
        <strong>Removed {plural(result.removed.length, "entry", "entries")}.</strong>
      </p>
      {result.failed.length > 0 ? (
        <table className="failures">
          <caption>Not removed ({formatCount(result.failed.length)})</caption>
          <thead>
            <tr>
              <th scope="col">Entry</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {result.failed.map((failure, index) => (
              <tr key={`${index}:${failure.id}`}>
                <td>
                  <code>{failure.id}</code>
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
