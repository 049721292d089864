// What the global setup hands to test files (vitest provide/inject), and names both sides agree on.

declare module "vitest" {
  export interface ProvidedContext {
    /** postgresql:// URL of the `postgres` database on the test server, as a superuser. */
    postgresUrl: string;
    /** The same server as the service role (owner of each test database, nothing more), `postgres` database. */
    serviceUrl: string;
  }
}

/** The migrated database every test database is copied from. */
export const TEMPLATE_DATABASE = "blocklist_template";

/** Settings for throwaway test servers: durability traded for speed. */
export const TEST_SERVER_SETTINGS: Record<string, string> = {
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  max_connections: "300",
};
