// Next.js is loaded when the first page is asked for, not at start: a process that serves only /api/* (the
// call path) never holds it (about 60 MB of resident memory; docs/BENCHMARKS.md). Concurrent first requests
// share one load; a failed load is not kept, so the next page request tries again.
import { access } from "node:fs/promises";
import path from "node:path";
import type { PageHandler } from "./app";

export function pagesLoadedOnFirstUse(load: () => Promise<PageHandler>): PageHandler {
  let loading: Promise<PageHandler> | undefined;
  return async (request, response) => {
    if (!loading) {
      const attempt = load();
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
      loading = attempt;
    }
    const handle = await loading;
    return handle(request, response);
  };
}

/**
 * Fails as Next.js's own start does when `appDir` holds no production build, so that a server without one still
 * refuses to start rather than failing its first page.
 */
export async function assertPagesBuilt(appDir: string): Promise<void> {
  const distDir = path.join(appDir, ".next");
  try {
    await access(path.join(distDir, "BUILD_ID"));
  } catch {
    throw new Error(
      `Could not find a production build in the '${distDir}' directory. Try building your app with 'next build' before starting the production server.`,
    );
  }
}
