import { displayNameSchema } from "@blocklist/core";
import { InvalidRequestError } from "../errors";

/** The name, or an error saying why it cannot be one (printed by the CLI as it is). */
export function requireDisplayName(name: string): string {
  const result = displayNameSchema.safeParse(name);
  if (!result.success) throw new InvalidRequestError(result.error.issues[0]?.message ?? "name is not valid");
  return result.data;
}
