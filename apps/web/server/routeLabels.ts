// Route labels for requests that no handler named (pages, static files, /api/health): the route pattern from
// Next.js's build manifest, so that a metric label is `/api/trpc/[trpc]`, never one label per URL.
import { readFileSync } from "node:fs";
import path from "node:path";

interface ManifestRoute {
  page: string;
  regex: string;
}

interface RoutesManifest {
  staticRoutes?: ManifestRoute[];
  dynamicRoutes?: ManifestRoute[];
}

/** Matches a path against the routes of a manifest: static routes first, then dynamic ones in Next's order. */
export function routeMatcher(manifest: RoutesManifest): (pathname: string) => string | undefined {
  const routes = [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])].map((route) => ({
    page: route.page,
    pattern: new RegExp(route.regex),
  }));
  return (pathname) => routes.find((route) => route.pattern.test(pathname))?.page;
}

/** The matcher for the build in `appDir/.next`; matches nothing when the manifest cannot be read. */
export function nextRouteLabels(appDir: string): (pathname: string) => string | undefined {
  try {
    const text = readFileSync(path.join(appDir, ".next", "routes-manifest.json"), "utf8");
    return routeMatcher(JSON.parse(text) as RoutesManifest);
  } catch {
    return () => undefined;
  }
}
