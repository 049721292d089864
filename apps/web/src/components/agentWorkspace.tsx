"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";
import { AddNumbersForm } from "./addNumbersForm";
import { AgentPicker, type AgentSelection } from "./agentPicker";
import { BlockListView } from "./blockListView";
import { CheckNumberForm } from "./checkNumberForm";
import { ErrorNotice, Loading } from "./status";

/** The organizations and agents the session may manage, and everything about the chosen agent. */
export function AgentWorkspace({ readOnly }: { readOnly: boolean }) {
  const trpc = useTRPC();
  const organizations = useQuery(trpc.organizations.list.queryOptions());
  const [chosen, setChosen] = useState<AgentSelection>({});

  if (organizations.isPending) return <Loading what="your agents" />;
  if (organizations.isError) {
    return <ErrorNotice error={organizations.error} onRetry={() => organizations.refetch()} />;
  }

  const list = organizations.data.organizations;
  if (list.length === 0) {
    return <p className="notice">Your user does not belong to any organization yet.</p>;
  }
  // The choice falls back to the first organization and its first agent, so one click less for most people.
  const organization = list.find((candidate) => candidate.id === chosen.orgId) ?? list[0];
  const agent =
    organization?.agents.find((candidate) => candidate.id === chosen.agentId) ?? organization?.agents[0];

  return (
    <>
      <AgentPicker
        organizations={list}
        selection={{ orgId: organization?.id, agentId: agent?.id }}
        onSelect={setChosen}
      />
      {!agent ? (
        <p className="notice">
          This organization has no agents yet. Create one with{" "}
          <code>pnpm cli agent create --uid … --name …</code>.
        </p>
      ) : (
        // A new agent starts every form and page over.
        <div className="workspace" key={agent.id}>
          <BlockListView agent={agent} readOnly={readOnly} />
          <aside className="side">
            <CheckNumberForm agentId={agent.id} />
            {readOnly ? (
              <p className="notice">
                This key is read-only: you can see and check numbers, but not add or remove them.
              </p>
            ) : (
              <AddNumbersForm agentId={agent.id} />
            )}
          </aside>
        </div>
      )}
    </>
  );
}
