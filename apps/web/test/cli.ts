import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const cliBin = join(dirname(fileURLToPath(import.meta.url)), "../../../packages/api/bin/cli.mjs");

/** Runs the admin CLI as `pnpm cli … --json` does, and parses its one JSON object. */
export async function cliJson(
  env: Record<string, string>,
  ...args: string[]
): Promise<Record<string, string>> {
  const { stdout } = await promisify(execFile)(process.execPath, [cliBin, ...args, "--json"], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout);
}
