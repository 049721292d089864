import type { EntryEventType, EntryVia } from "@blocklist/core/fields";

// The words of a list's history: what happened to an entry, and who did it through what. Pure, unit-tested.

export const EVENT_LABELS: Record<EntryEventType, string> = {
  created: "Created",
  updated: "Changed",
  removed: "Removed",
  expired: "Expired",
};

export const VIA_LABELS: Record<EntryVia, string> = {
  rest: "REST API",
  trpc: "tRPC",
  ui: "Web UI",
  cli: "CLI",
};

export interface EventAuthorText {
  /** The key's prefix as the list shows keys ("bl_4jVx…"), or "No one" for an expiry. */
  who: string;
  /** The interface, or "Expired" when the entry's time ran out. */
  through: string;
}

/** Who made a change and through what; an expiry is no one's doing. */
export function eventAuthorText(by: { keyPrefix: string; via: EntryVia } | null): EventAuthorText {
  if (by === null) return { who: "No one", through: "Expired" };
  return { who: `${by.keyPrefix}…`, through: VIA_LABELS[by.via] };
}
