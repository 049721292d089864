import Link from "next/link";
import type { Organization, View } from "./workspace";

/** Every list the session may open: each organization's own, and each of its agents'. */
export function ListNav({ organizations, view }: { organizations: Organization[]; view: View }) {
  const current = (kind: View["kind"], id: string) =>
    (view.kind === "agent" && kind === "agent" && view.agentId === id) ||
    (view.kind === "organization" && kind === "organization" && view.orgId === id)
      ? "page"
      : undefined;
  return (
    <nav className="list-nav" aria-label="Lists">
      {organizations.map((organization) => (
        <section key={organization.id} aria-labelledby={`nav-${organization.id}`}>
          <h2 id={`nav-${organization.id}`}>{organization.name}</h2>
          <ul>
            <li>
              <Link
                href={`/organizations/${organization.id}`}
                aria-current={current("organization", organization.id)}
              >
                Every agent of {organization.name}
              </Link>
            </li>
            {organization.agents.map((agent) => (
              <li key={agent.id}>
                <Link href={`/agents/${agent.id}`} aria-current={current("agent", agent.id)}>
                  {agent.name}
                </Link>
              </li>
            ))}
          </ul>
          {organization.agents.length === 0 ? <p className="muted">No agents yet.</p> : null}
        </section>
      ))}
    </nav>
  );
}
