// A process that starts the embedded PostgreSQL on the directory given as its argument and keeps running, so
// that tests can kill the owner (kill -9) and see what the next process finds.
import { startEmbeddedPostgres } from "../embedded-postgres";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: embedded-postgres-owner.ts <dataDir>");
const server = await startEmbeddedPostgres({ dataDir });
process.stdout.write(`${JSON.stringify({ url: server.url, owned: server.owned })}\n`);
setInterval(() => {}, 60_000);
