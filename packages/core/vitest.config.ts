import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Property-based tests run thousands of cases; on a small, busy machine vitest's 5-second default is too
    // tight. A hung test still fails.
    testTimeout: 60_000,
  },
});
