import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./server";

// The README's REST examples are run as written (bash, curl and the admin CLI) against a new installation,
// and each must print exactly the answer the README shows under it ("…" stands for an id, a key prefix, a
// cursor or an instant). The section's first sh block sets up; every later one continues the same session.

const repoDir = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const cliBin = join(repoDir, "packages/api/bin/cli.mjs");
const README_ORIGIN = "http://localhost:3000";

interface Step {
  command: string;
  shown: string;
}

function restExamples(): { setup: string; steps: Step[] } {
  const readme = readFileSync(join(repoDir, "README.md"), "utf8");
  const start = readme.indexOf("## The REST API");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const [setup, ...blocks] = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  if (setup === undefined || blocks.length === 0) throw new Error("README: no REST examples found");
  const examples = blocks.join("\n");

  const steps: Step[] = [];
  let command: string[] = [];
  let shown: string[] = [];
  const finish = () => {
    if (command.length > 0) steps.push({ command: command.join("\n"), shown: shown.join("") });
    command = [];
    shown = [];
  };
  for (const line of examples.split("\n")) {
    if (line.startsWith("#")) {
      // A comment under a command is its answer; a comment before one only explains it.
      if (command.length > 0) shown.push(line.slice(1).trim());
      continue;
    }
    const continues = command.at(-1)?.endsWith("\\") ?? false;
    if (!continues && (shown.length > 0 || command.length > 0)) finish();
    if (line.trim() !== "") command.push(line);
  }
  finish();
  return { setup, steps };
}

const { setup, steps } = restExamples();
let dataDir: string;
let server: RunningServer;
const printed = new Map<number, string>();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "blocklist-readme-"));
  const env = { DATA_DIR: dataDir, DATABASE_URL: "" };
  server = await startServer(env);

  // `pnpm cli` is the admin CLI: call it directly, as the CLI tests do, whatever pnpm the machine has.
  const script = [
    "set -euo pipefail",
    `pnpm() { if [ "$1" = cli ]; then shift; node ${JSON.stringify(cliBin)} "$@"; else command pnpm "$@"; fi; }`,
    setup,
    ...steps.map(
      (step, index) => `echo "@@step ${index}"\n${step.command.replaceAll(README_ORIGIN, server.url)}`,
    ),
  ].join("\n");
  const { stdout } = await promisify(execFile)("bash", ["-c", script], {
    cwd: repoDir,
    env: { ...process.env, ...env },
  });
  for (const [, index, output] of stdout.matchAll(/@@step (\d+)\n([\s\S]*?)(?=@@step |$)/g)) {
    printed.set(Number(index), (output ?? "").replaceAll("\n", ""));
  }
});
afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the README's REST examples", () => {
  it("are there: a call of every route and method, each with its answer", () => {
    const commands = steps.map(({ command }) => command).join("\n");
    for (const call of [
      "-X POST",
      "-X DELETE",
      "-X PUT",
      "-X PATCH",
      "/api/organizations",
      '"http://localhost:3000/api/agent-block-list?',
      '"http://localhost:3000/api/block-list-entries?',
      "-X POST http://localhost:3000/api/block-list-entries",
      "-X PATCH http://localhost:3000/api/block-list-entries",
      "-X DELETE http://localhost:3000/api/block-list-entries",
      '"http://localhost:3000/api/block-list-entries/history?',
      "/api/block-list-check",
    ]) {
      expect(commands).toContain(call);
    }
    expect(steps.filter(({ shown }) => shown !== "").length).toBeGreaterThanOrEqual(28);
  });

  it.each(
    steps.filter(({ shown }) => shown !== "").map((step) => [step.command.split("\n")[0], step] as const),
  )("%s prints what the README shows", (_first, step) => {
    const expected = new RegExp(
      `^${step.shown.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replaceAll("…", "[0-9A-Za-z_:.-]+")}$`,
    );
    expect(printed.get(steps.indexOf(step))).toMatch(expected);
  });
});
