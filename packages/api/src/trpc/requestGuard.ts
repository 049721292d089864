import { ErrorMessage, MAX_BODY_BYTES } from "@blocklist/core";
import { TRPCError } from "@trpc/server";
import { BodyTooLargeError } from "../errors";
import { isJsonContentType, readBodyWithin } from "../rest/parse";

export interface ScreenedRequest {
  /** The request to hand to tRPC: the original, or a copy holding the body already read. */
  request: Request;
  /** Why the request is refused before any procedure runs, if it is. */
  refusal?: TRPCError;
}

const forwardedFirst = (value: string | null) => value?.split(",")[0]?.trim() || undefined;

/**
 * Whether a browser sent this request from another site. Browsers say so in `Sec-Fetch-Site` (only `same-origin`
 * and `none`, typed by the user, are ours); older ones only send `Origin`, compared with the host the request was
 * sent to. Callers that are not browsers send neither and are not affected.
 */
export function isCrossSiteRequest(request: Request): boolean {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite !== null) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = request.headers.get("origin");
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    // `Origin: null` (sandboxed frames, some redirects) names no site of ours.
    return true;
  }
  const host =
    forwardedFirst(request.headers.get("x-forwarded-host")) ??
    request.headers.get("host") ??
    new URL(request.url).host;
  return originHost !== host;
}

/**
 * Checks a tRPC request before tRPC reads it. Mutations come as POST: one from another site is refused (CSRF:
 * the session cookie is SameSite=Strict already, this is the second lock), one whose body is not JSON is refused
 * (tRPC would also accept multipart and octet-stream, which a cross-site form can send and no procedure of ours
 * takes), and one larger than MAX_BODY_BYTES is refused like REST: by Content-Length before reading, or as soon
 * as a chunked body passes the limit.
 */
export async function screenTrpcRequest(request: Request): Promise<ScreenedRequest> {
  if (request.method === "GET" || request.method === "HEAD") return { request };
  if (isCrossSiteRequest(request)) {
    return { request, refusal: new TRPCError({ code: "FORBIDDEN", message: ErrorMessage.crossSiteRequest }) };
  }
  if (!isJsonContentType(request.headers.get("content-type"))) {
    const refusal = new TRPCError({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: ErrorMessage.unsupportedMediaType,
    });
    return { request, refusal };
  }
  if (request.body === null || request.headers.has("content-length")) {
    const declared = Number(request.headers.get("content-length"));
    if (declared > MAX_BODY_BYTES) {
      return {
        request,
        refusal: new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: ErrorMessage.bodyTooLarge }),
      };
    }
    return { request };
  }
  try {
    const body = await readBodyWithin(request, MAX_BODY_BYTES);
    return {
      request: new Request(request.url, {
        method: request.method,
        headers: request.headers,
        body,
        signal: request.signal,
      }),
    };
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return {
      request,
      refusal: new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: ErrorMessage.bodyTooLarge }),
    };
  }
}
