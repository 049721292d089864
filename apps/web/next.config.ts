import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Internal packages export TypeScript source ("just-in-time" packages); Next compiles them.
  transpilePackages: ["@blocklist/api", "@blocklist/core", "@blocklist/db"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
