// The payloads the triggers of the `change_notifications` and `entries` migrations send (see their
// migration.sql). A list left out means "too many to say, or everything": the listener drops instead of patching.
import { z } from "zod";

const ids = z.array(z.string()).optional();

export const changeSchema = z.discriminatedUnion("kind", [
  // One list changed (agentId null: the organization's); no orgId: every list.
  z.object({
    kind: z.literal("entries"),
    orgId: z.string().optional(),
    agentId: z.string().nullable().optional(),
  }),
  z.object({ kind: z.literal("keys"), hashes: ids }),
  z.object({ kind: z.literal("memberships"), userIds: ids }),
  z.object({ kind: z.literal("agents"), agentIds: ids }),
]);

export type Change = z.infer<typeof changeSchema>;

/** The change a payload describes, or undefined when it is not one we know (then everything is dropped). */
export function parseChange(payload: string): Change | undefined {
  try {
    const parsed = changeSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
