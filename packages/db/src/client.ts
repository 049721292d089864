import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

/** A Prisma client on its own `pg` pool (driver adapter: no query engine binary). */
export function createPrismaClient(connectionString: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

// On globalThis rather than in a module variable: Next.js bundles and the tsx-loaded server may each hold
// their own copy of this module, and there must still be one pool per process.
const globalStore = globalThis as typeof globalThis & { __blocklistPrismaClient?: PrismaClient };

/** The process's Prisma client, built on first use from process.env.DATABASE_URL. */
export function getPrismaClient(): PrismaClient {
  if (!globalStore.__blocklistPrismaClient) {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new Error(
        "DATABASE_URL is not set: start the database first (startDatabase) and put its url in DATABASE_URL",
      );
    }
    globalStore.__blocklistPrismaClient = createPrismaClient(url);
  }
  return globalStore.__blocklistPrismaClient;
}

/** Closes the process's client (if any), so that the next getPrismaClient() builds a new one. */
export async function disconnectPrismaClient(): Promise<void> {
  const client = globalStore.__blocklistPrismaClient;
  globalStore.__blocklistPrismaClient = undefined;
  await client?.$disconnect();
}
