import { useState } from "react";

/**
 * Forward-only cursors make "Previous" a stack of the cursors that led here. The stack starts over whenever
 * `resetKey` changes (another search), without an effect and without a render of a stale page.
 */
export function useCursorPages(resetKey: string) {
  const [state, setState] = useState<{ resetKey: string; cursors: (string | undefined)[] }>({
    resetKey,
    cursors: [undefined],
  });
  let cursors = state.cursors;
  if (state.resetKey !== resetKey) {
    cursors = [undefined];
    setState({ resetKey, cursors });
  }
  return {
    cursor: cursors.at(-1),
    pageNumber: cursors.length,
    next: (cursor: string) => setState({ resetKey, cursors: [...cursors, cursor] }),
    previous: () => setState({ resetKey, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors }),
  };
}
