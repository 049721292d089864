import { methodsNotAllowed } from "@blocklist/api/rest";
import { handleTrpcRequest } from "@blocklist/api/trpc";

export const dynamic = "force-dynamic";

const handler = (req: Request) => handleTrpcRequest(req);

export { handler as GET, handler as POST };
// Other methods get a JSON 405 with Allow, like the REST routes (Next's own answer is not JSON).
export const { PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed(["GET", "POST"]);
