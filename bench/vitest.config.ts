import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // dataset.test.ts runs its SQL on the shared test PostgreSQL; bench.test.ts starts its own.
    globalSetup: ["@blocklist/db/testing/global-setup"],
    // A whole benchmark run on a small shared machine: be generous.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // expect.poll gives up after 1 s by default: too short for a server busy with other test files.
    expect: { poll: { timeout: 15_000 } },
  },
});
