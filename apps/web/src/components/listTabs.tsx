"use client";

import { type KeyboardEvent, type ReactNode, useRef, useState } from "react";

const TABS = [
  { id: "entries", label: "Entries" },
  { id: "history", label: "History" },
] as const;
export type ListTab = (typeof TABS)[number]["id"];

/** "Entries | History" for a list: the WAI-ARIA tabs pattern (arrow keys, Home and End move between tabs). */
export function useListTabs() {
  const [tab, setTab] = useState<ListTab>("entries");
  const buttons = useRef<Record<string, HTMLButtonElement | null>>({});
  const select = (index: number) => {
    const next = TABS[(index + TABS.length) % TABS.length];
    if (!next) return;
    setTab(next.id);
    buttons.current[next.id]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = TABS.findIndex((candidate) => candidate.id === tab);
    const moves: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: -1 };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    select(target);
  };
  const tabList = (
    <div className="tabs" role="tablist" aria-label="Views of this list" onKeyDown={onKeyDown}>
      {TABS.map((candidate) => (
        <button
          key={candidate.id}
          ref={(button) => {
            buttons.current[candidate.id] = button;
          }}
          type="button"
          role="tab"
          id={`tab-${candidate.id}`}
          aria-selected={tab === candidate.id}
          // Only the shown panel exists, so only its tab names it.
          aria-controls={tab === candidate.id ? `panel-${candidate.id}` : undefined}
          tabIndex={tab === candidate.id ? 0 : -1}
          onClick={() => setTab(candidate.id)}
        >
          {candidate.label}
        </button>
      ))}
    </div>
  );
  const panel = (content: ReactNode) => (
    <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
      {content}
    </div>
  );
  return { tab, tabList, panel };
}
