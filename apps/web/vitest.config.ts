import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One real PostgreSQL for the run; each test file makes its own database in it (createTestDatabase).
    globalSetup: ["@blocklist/db/testing/global-setup"],
    // Real servers on a small shared machine: be generous.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll gives up after 1 s by default: too short for a browser or a server busy with other test files.
    expect: { poll: { timeout: 15_000 } },
  },
});
