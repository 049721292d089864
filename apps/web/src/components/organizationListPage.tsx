"use client";

import { AddEntriesForm } from "./addEntriesForm";
import { EntriesView } from "./entriesView";
import { plural } from "./format";
import { HistoryView } from "./historyView";
import { useListTabs } from "./listTabs";
import { ReadOnlyNotice } from "./readOnlyNotice";
import { useDocumentTitle } from "./useDocumentTitle";
import type { Organization } from "./workspace";

/** The organization's own list, which every one of its agents obeys beside its own. */
export function OrganizationListPage({
  organization,
  readOnly,
}: {
  organization: Organization;
  readOnly: boolean;
}) {
  const list = { orgId: organization.id };
  const listName = `every agent of ${organization.name}`;
  useDocumentTitle(`Every agent of ${organization.name}`);
  const tabs = useListTabs();
  return (
    <>
      <header className="card page-head">
        <h2>Every agent of {organization.name}</h2>
        <p className="muted">
          Every agent of {organization.name} ({plural(organization.agents.length, "agent")}) obeys these
          entries beside its own list; an agent's own entry for the same caller comes first.
        </p>
        {tabs.tabList}
      </header>
      <div className="list-layout">
        <aside className="side">
          {readOnly ? <ReadOnlyNotice /> : <AddEntriesForm list={list} listName={listName} />}
        </aside>
        {tabs.panel(
          tabs.tab === "history" ? (
            <HistoryView list={list} />
          ) : (
            <EntriesView list={list} listName={listName} readOnly={readOnly} />
          ),
        )}
      </div>
    </>
  );
}
