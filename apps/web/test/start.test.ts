// `pnpm start` as a newcomer runs it in a terminal: only the service's own lines (no turbo banner or summary),
// pnpm's one child is the server itself (no shell, tsx or turbo left in between), and Ctrl-C — SIGINT to the
// whole process group, as a terminal sends it — stops it cleanly, without pnpm's "ELIFECYCLE Command failed".
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { embeddedDataDirForFile } from "./server";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const { env: dataDirEnv } = await embeddedDataDirForFile("start");

/** The command lines of the processes whose parent is `pid`. */
function childrenOf(pid: number): string[] {
  const children: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 4th field, after the command name in brackets (which may hold spaces).
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid)
        children.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim());
    } catch {
      // The process ended meanwhile.
    }
  }
  return children;
}

it("shows only the service's lines, runs the server as pnpm's only child, and stops on Ctrl-C", async () => {
  const { TURBO_TELEMETRY_DISABLED: _telemetry, ...environment } = process.env;
  const pnpm = spawn("pnpm", ["start"], {
    cwd: repoRoot,
    // As a newcomer's shell: telemetry not turned off beforehand (the start script must do it).
    env: { ...environment, ...dataDirEnv, PORT: "0", HOST: "127.0.0.1", LOG_FORMAT: "json" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  pnpm.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  pnpm.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => pnpm.once("exit", (code) => resolve(code)));
  await expect.poll(() => output, { timeout: 180_000 }).toMatch(/listening on http:\/\/localhost:\d+/);

  expect(childrenOf(pnpm.pid as number)).toEqual([
    expect.stringMatching(/node apps\/web\/dist\/server\.mjs$/),
  ]);

  process.kill(-(pnpm.pid as number), "SIGINT");
  expect(await exited).toBe(0);
  expect(output).toContain('"msg":"Stopped"');
  for (const foreign of ["ELIFECYCLE", "turbo", "Packages in scope", "Tasks:", "Attention"]) {
    expect(output).not.toContain(foreign);
  }
  // pnpm's own header ("> @blocklist/root@ start …") and the service's JSON lines are all there is.
  const lines = output.split("\n").filter((line) => line.trim() !== "");
  expect(lines.filter((line) => !line.startsWith("{") && !line.startsWith(">"))).toEqual([]);
}, 240_000);
