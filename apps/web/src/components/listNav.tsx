import type { Organization, View } from "./workspace";

/**
 * Every list the session may open: each organization's own, and each of its agents'. Plain links, each a page
 * load: the App Router's client navigation of these dynamic pages cancels its own RSC requests, which the
 * browser reports as failed requests.
 */
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
              <a
                href={`/organizations/${organization.id}`}
                aria-current={current("organization", organization.id)}
              >
                Every agent of {organization.name}
              </a>
            </li>
            {organization.agents.map((agent) => (
              <li key={agent.id}>
                <a href={`/agents/${agent.id}`} aria-current={current("agent", agent.id)}>
                  {agent.name}
                </a>
              </li>
            ))}
          </ul>
          {organization.agents.length === 0 ? <p className="muted">No agents yet.</p> : null}
        </section>
      ))}
    </nav>
  );
}
