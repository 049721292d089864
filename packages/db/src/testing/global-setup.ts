// vitest globalSetup: one PostgreSQL for the whole test run, in a temporary directory, with a migrated template
// database that createTestDatabase() copies for each test file.
//   test: { globalSetup: ["@blocklist/db/testing/global-setup"] }
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { connectClient, withDatabaseName } from "../connection";
import { startEmbeddedPostgres } from "../embedded-postgres";
import { migrateDatabase } from "../migrate";
import { TEMPLATE_DATABASE, TEST_SERVER_SETTINGS } from "./context";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-test-postgres-"));
  const server = await startEmbeddedPostgres({
    dataDir,
    database: TEMPLATE_DATABASE,
    settings: TEST_SERVER_SETTINGS,
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const teardown = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // As the service role, like the server: the template's tables are its own, and so are their copies'.
    await migrateDatabase(server.url);
    const admin = await connectClient(server.superuserUrl);
    try {
      // Nobody may connect to the template: CREATE DATABASE … TEMPLATE needs it idle.
      await admin.query(
        `ALTER DATABASE "${TEMPLATE_DATABASE}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
      );
    } finally {
      await admin.end();
    }
    project.provide("postgresUrl", server.superuserUrl);
    project.provide("serviceUrl", withDatabaseName(server.url, "postgres"));
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
