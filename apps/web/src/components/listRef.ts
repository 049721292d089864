/** Which list: an agent's own, or its organization's (the input every entries procedure names it by). */
export type ListRef = { agentId: string } | { orgId: string };
