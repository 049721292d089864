import { useEffect } from "react";

/** Each list's page says which list it is in the browser's tab, history and screen reader. */
export function useDocumentTitle(list: string) {
  useEffect(() => {
    document.title = `${list} · Agent block list`;
  }, [list]);
}
