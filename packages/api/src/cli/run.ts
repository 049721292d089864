import { ConfigError, loadConfig } from "@blocklist/config";
import { createPrismaClient, type PrismaClient } from "@blocklist/db";
import { defaultDataDir, startDatabase } from "@blocklist/db/lifecycle";
import { NotFoundError } from "../errors";

/**
 * Opens the service's database (the running server's embedded PostgreSQL, a fresh one, or DATABASE_URL),
 * runs one admin command, prints its result and closes everything again.
 */
export async function runAdminCommand<Result extends object>(
  options: { json?: boolean },
  command: (db: PrismaClient) => Promise<Result>,
): Promise<void> {
  let database: Awaited<ReturnType<typeof startDatabase>> | undefined;
  let db: PrismaClient | undefined;
  try {
    // The same settings, read and checked the same way, as the server's.
    const { database: settings } = loadConfig();
    database = await startDatabase({
      databaseUrl: settings.url,
      directUrl: settings.directUrl,
      dataDir: defaultDataDir(settings.dataDir),
    });
    db = createPrismaClient(database.url);
    const result = await command(db);
    process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatForPeople(result));
  } catch (error) {
    process.stderr.write(`error: ${describeFailure(error)}\n`);
    process.exitCode = 1;
  } finally {
    await db?.$disconnect();
    await database?.stop();
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.problems.join("\n");
  if (error instanceof NotFoundError) return error.message;
  if (error instanceof Error) return error.message.split("\n")[0] ?? "unknown error";
  return String(error);
}

/** `key: value` lines; nested lists as one indented line per entry. */
function formatForPeople(result: object): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(result)) {
    if (Array.isArray(value)) {
      lines.push(`${name}:`);
      for (const entry of value)
        lines.push(
          `  ${Object.entries(entry)
            .map(([k, v]) => `${k}=${v}`)
            .join("  ")}`,
        );
    } else {
      lines.push(`${name}: ${value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
