import type { RouterOutputs } from "@blocklist/api/trpc";
import { MATCH_LABELS } from "~/entries/words";
import { formatCount } from "./format";

type Failure = RouterOutputs["entries"]["create"]["failed"][number];

/** The value of a refused entry exactly as it was sent, or what it matched when it had none. */
function asSent(failure: Failure): string {
  const entry = failure.entry as { match?: keyof typeof MATCH_LABELS; value?: unknown };
  if (typeof entry.value === "string") return entry.value;
  return entry.match ? MATCH_LABELS[entry.match] : "";
}

/** Each refused input as typed, next to the reason the service gave. */
export function CreationSummary({ id, failures }: { id: string; failures: Failure[] }) {
  return (
    <table className="failures" id={id}>
      <caption>Not added ({formatCount(failures.length)})</caption>
      <thead>
        <tr>
          <th scope="col">You entered</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {failures.map((failure) => (
          <tr key={failure.index}>
            <td>
              <code className="as-typed">{asSent(failure)}</code>
            </td>
            <td>{failure.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
