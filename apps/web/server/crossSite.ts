const forwardedFirst = (value: string | null) => value?.split(",")[0]?.trim() || undefined;

/**
 * Whether a browser sent this request from another site. Browsers say so in `Sec-Fetch-Site` (only `same-origin`
 * and `none`, typed by the user, are ours); older ones only send `Origin`, compared with the host the request was
 * sent to. Callers that are not browsers send neither and are not affected.
 */
export function isCrossSiteRequest(header: (name: string) => string | null): boolean {
  const fetchSite = header("sec-fetch-site");
  if (fetchSite !== null) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = header("origin");
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    // `Origin: null` (sandboxed frames, some redirects) names no site of ours.
    return true;
  }
  return originHost !== (forwardedFirst(header("x-forwarded-host")) ?? header("host"));
}
