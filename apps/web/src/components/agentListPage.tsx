"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { AddEntriesForm } from "./addEntriesForm";
import { CheckNumberForm } from "./checkNumberForm";
import { EntriesView } from "./entriesView";
import { plural } from "./format";
import { HistoryView } from "./historyView";
import { useListTabs } from "./listTabs";
import { ReadOnlyNotice } from "./readOnlyNotice";
import { useDocumentTitle } from "./useDocumentTitle";
import type { Organization } from "./workspace";

type Agent = Organization["agents"][number];

/** One agent's own list, what its organization's list adds, and whether a caller gets through. */
export function AgentListPage({
  agent,
  organization,
  readOnly,
}: {
  agent: Agent;
  organization: Organization;
  readOnly: boolean;
}) {
  const list = { agentId: agent.id };
  useDocumentTitle(agent.name);
  const tabs = useListTabs();
  return (
    <>
      <header className="card page-head">
        <h2>{agent.name}</h2>
        <p className="muted">An agent of {organization.name}.</p>
        <OrganizationListNote organization={organization} />
        {tabs.tabList}
      </header>
      <div className="list-layout">
        <aside className="side">
          <CheckNumberForm agentId={agent.id} orgName={organization.name} />
          {readOnly ? <ReadOnlyNotice /> : <AddEntriesForm list={list} listName={agent.name} />}
        </aside>
        {tabs.panel(
          tabs.tab === "history" ? (
            <HistoryView list={list} />
          ) : (
            <EntriesView list={list} listName={agent.name} readOnly={readOnly} />
          ),
        )}
      </div>
    </>
  );
}

/** The organization's entries apply to this agent too: say how many, and where they are managed. */
function OrganizationListNote({ organization }: { organization: Organization }) {
  const trpc = useTRPC();
  const orgList = useQuery(trpc.entries.list.queryOptions({ orgId: organization.id, limit: 1 }));
  return (
    <p className="org-note">
      {organization.name}'s own list applies to this agent too
      {orgList.data ? ` (${plural(orgList.data.count, "entry", "entries")})` : ""}:{" "}
      <a href={`/organizations/${organization.id}`}>Every agent of {organization.name}</a>.
    </p>
  );
}
