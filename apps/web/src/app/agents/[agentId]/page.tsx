import { BlockListApp } from "~/components/blockListApp";

export default async function AgentPage({ params }: { params: Promise<{ agentId: string }> }) {
  const { agentId } = await params;
  return <BlockListApp view={{ kind: "agent", agentId }} />;
}
