// The production entry point behind `pnpm start`: opens the database (embedded PostgreSQL unless
// DATABASE_URL is set), applies migrations, then serves the built Next.js app on PORT.
import { createServer } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { disconnectPrismaClient } from "@blocklist/db";
import { defaultDataDir, startDatabase } from "@blocklist/db/lifecycle";
import next from "next";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "0.0.0.0";
const appDir = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const database = await startDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: defaultDataDir() });
  // Route handlers build their Prisma client from this, in this same process.
  process.env.DATABASE_URL = database.url;

  const app = next({ dev: false, dir: appDir, hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = createServer((request, response) => void handle(request, response));
  server.listen(port, hostname, () => {
    const address = server.address();
    const listeningPort = typeof address === "object" && address ? address.port : port;
    const where = database.embedded
      ? `embedded PostgreSQL in ${defaultDataDir()}`
      : "PostgreSQL at DATABASE_URL";
    console.log(`Block-list service listening on http://localhost:${listeningPort} (${where})`);
    console.log("Create a first user with: pnpm cli user create --name me --json");
  });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing in-flight requests, then stopping`);
    server.close();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.once("close", () => resolve()));
    await disconnectPrismaClient();
    await database.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`Cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
