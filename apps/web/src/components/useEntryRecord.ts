import { skipToken, useQuery } from "@tanstack/react-query";
import type { EntryRecord } from "~/entries/decisionWords";
import { searchDigitsOf } from "~/entries/searchDigits";
import { useTRPC } from "~/trpc/react";

interface DecidingEntry {
  id: string;
  orgId: string;
  agentId: string | null;
  match: "number" | "prefix" | "withheld" | "any";
  value: string | null;
  action: "block" | "allow";
  direction: "inbound" | "outbound" | "both";
}

// An answer of check names its entry without when or by whom it was added. Its list, filtered down to the
// entries exactly like it (one at most shares match, value, action and direction), has that record.
const RECORD_LIMIT = 1_000;

/** When and by which key the deciding entry was added, once read from its list; undefined until then. */
export function useEntryRecord(entry: DecidingEntry | null): EntryRecord | undefined {
  const trpc = useTRPC();
  const list =
    entry === null ? undefined : entry.agentId === null ? { orgId: entry.orgId } : { agentId: entry.agentId };
  const page = useQuery(
    trpc.entries.list.queryOptions(
      entry === null || list === undefined
        ? skipToken
        : {
            ...list,
            match: entry.match,
            action: entry.action,
            direction: entry.direction,
            search: searchDigitsOf(entry.value),
            limit: RECORD_LIMIT,
          },
    ),
  );
  return page.data?.entries.find((listed) => listed.id === entry?.id);
}
