import type { RouterOutputs } from "@blocklist/api/trpc";

type Organization = RouterOutputs["organizations"]["list"]["organizations"][number];
export interface AgentSelection {
  orgId?: string | undefined;
  agentId?: string | undefined;
}

export function AgentPicker({
  organizations,
  selection,
  onSelect,
}: {
  organizations: Organization[];
  selection: AgentSelection;
  onSelect: (selection: AgentSelection) => void;
}) {
  const agents = organizations.find((organization) => organization.id === selection.orgId)?.agents ?? [];
  return (
    <div className="picker">
      <div className="field">
        <label htmlFor="organization">Organization</label>
        <select
          id="organization"
          value={selection.orgId ?? ""}
          onChange={(event) => onSelect({ orgId: event.target.value })}
        >
          {organizations.map((organization) => (
            <option key={organization.id} value={organization.id}>
              {organization.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="agent">Agent</label>
        <select
          id="agent"
          value={selection.agentId ?? ""}
          disabled={agents.length === 0}
          onChange={(event) => onSelect({ orgId: selection.orgId, agentId: event.target.value })}
        >
          {agents.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.name}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
