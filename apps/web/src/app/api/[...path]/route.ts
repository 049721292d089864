import { ErrorMessage } from "@blocklist/core";

// Unknown paths under /api answer JSON too, like every other API answer, instead of Next's HTML page.
const notFound = async () => Response.json({ error: ErrorMessage.notFound }, { status: 404 });

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;
