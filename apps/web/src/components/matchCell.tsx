import { matchText } from "~/entries/words";

/** What an entry matches, with a number's country: the first cell of the entries and the history. */
export function MatchCell({ entry }: { entry: Parameters<typeof matchText>[0] }) {
  const matched = matchText(entry);
  return (
    <td className="match-cell">
      <span className="match">{matched.text}</span>
      {matched.country ? <span className="country"> {matched.country}</span> : null}
    </td>
  );
}
