import { BlockListApp } from "~/components/blockListApp";

export default async function OrganizationPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  return <BlockListApp view={{ kind: "organization", orgId }} />;
}
