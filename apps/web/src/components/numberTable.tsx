/** One page of blocked numbers; with `onRemove`, each can be selected or removed on its own. */
export function NumberTable({
  numbers,
  selected,
  onToggle,
  onTogglePage,
  onRemove,
  busy,
}: {
  numbers: string[];
  selected: ReadonlySet<string>;
  onToggle: (number: string) => void;
  onTogglePage: (select: boolean) => void;
  onRemove?: ((numbers: string[]) => void) | undefined;
  busy: boolean;
}) {
  const editable = onRemove !== undefined;
  const wholePageSelected = numbers.length > 0 && numbers.every((number) => selected.has(number));
  return (
    <table className="numbers" aria-label="Blocked numbers" aria-busy={busy}>
      <thead>
        <tr>
          {editable ? (
            <th scope="col" className="select-cell">
              <label>
                <input
                  type="checkbox"
                  checked={wholePageSelected}
                  onChange={(event) => onTogglePage(event.target.checked)}
                />
                <span className="visually-hidden">Select every number on this page</span>
              </label>
            </th>
          ) : null}
          <th scope="col">Number</th>
          {editable ? (
            <th scope="col" className="action-cell">
              <span className="visually-hidden">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {numbers.map((number) => (
          <tr key={number} className={selected.has(number) ? "selected" : undefined}>
            {editable ? (
              <td className="select-cell">
                <label>
                  <input type="checkbox" checked={selected.has(number)} onChange={() => onToggle(number)} />
                  <span className="visually-hidden">Select {number}</span>
                </label>
              </td>
            ) : null}
            <td>
              <code>{number}</code>
            </td>
            {editable ? (
              <td className="action-cell">
                <button
                  type="button"
                  className="button-link danger"
                  aria-label={`Remove ${number}`}
                  onClick={() => onRemove([number])}
                >
                  Remove
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
