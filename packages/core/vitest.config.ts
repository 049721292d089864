import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A shared, busy machine: the 10,000-entry and OpenAPI-validation tests must not fail by the clock.
    testTimeout: 60_000,
  },
});
