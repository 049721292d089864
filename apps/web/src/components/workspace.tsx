"use client";

import type { RouterOutputs } from "@blocklist/api/trpc";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTRPC } from "~/trpc/react";
import { AgentListPage } from "./agentListPage";
import { ListNav } from "./listNav";
import { OrganizationListPage } from "./organizationListPage";
import { ErrorNotice, Loading } from "./status";

export type View =
  | { kind: "home" }
  | { kind: "agent"; agentId: string }
  | { kind: "organization"; orgId: string };
export type Organization = RouterOutputs["organizations"]["list"]["organizations"][number];

/** The lists the session may see (every organization's and every agent's), and the one the address names. */
export function Workspace({ view, readOnly }: { view: View; readOnly: boolean }) {
  const trpc = useTRPC();
  const organizations = useQuery(trpc.organizations.list.queryOptions());

  if (organizations.isPending) return <Loading what="your lists" />;
  if (organizations.isError) {
    return <ErrorNotice error={organizations.error} onRetry={() => organizations.refetch()} />;
  }
  const list = organizations.data.organizations;
  if (list.length === 0) {
    return <p className="notice">Your user does not belong to any organization yet.</p>;
  }
  return (
    <div className="workspace">
      <ListNav organizations={list} view={view} />
      <div className="list-page">
        <ViewOf view={view} organizations={list} readOnly={readOnly} />
      </div>
    </div>
  );
}

function ViewOf({
  view,
  organizations,
  readOnly,
}: {
  view: View;
  organizations: Organization[];
  readOnly: boolean;
}) {
  if (view.kind === "home") return <FirstList organizations={organizations} />;
  if (view.kind === "agent") {
    const organization = organizations.find((candidate) =>
      candidate.agents.some((agent) => agent.id === view.agentId),
    );
    const agent = organization?.agents.find((candidate) => candidate.id === view.agentId);
    if (!organization || !agent) return <p className="notice">None of your organizations has this agent.</p>;
    // A new agent starts every form and page over.
    return <AgentListPage key={agent.id} agent={agent} organization={organization} readOnly={readOnly} />;
  }
  const organization = organizations.find((candidate) => candidate.id === view.orgId);
  if (!organization) return <p className="notice">You are not a member of this organization.</p>;
  return <OrganizationListPage key={organization.id} organization={organization} readOnly={readOnly} />;
}

/** The home page opens the first agent's list (its organization's when it has none): one click less. */
function FirstList({ organizations }: { organizations: Organization[] }) {
  const first = organizations[0];
  const agent = first?.agents[0];
  const target = agent ? `/agents/${agent.id}` : `/organizations/${first?.id}`;
  useEffect(() => window.location.replace(target), [target]);
  return <Loading what="your first list" />;
}
