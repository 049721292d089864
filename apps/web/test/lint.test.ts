// The lint step of `pnpm test` (biome check --error-on-warnings) must refuse what it claims to: a probe file
// (JavaScript, so that tsc running beside this test never sees it) laid in the repository, linted with the repository's own biome.json.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const probe = path.join(repoRoot, "apps/web/lint-probe.mjs");
afterAll(() => rmSync(probe, { force: true }));

function lint(source: string) {
  writeFileSync(probe, source);
  const run = spawnSync("pnpm", ["exec", "biome", "check", "--error-on-warnings", probe], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  return { status: run.status, rules: new Set(run.stderr.match(/lint\/[a-zA-Z]+\/[a-zA-Z]+/g) ?? []) };
}

describe("the lint step", () => {
  it("fails on debugger, ==, var, eval, console.log and an unused import", () => {
    const { status, rules } = lint(
      [
        'import { readFileSync } from "node:fs";',
        "var count = Number(process.argv[2]);",
        'if (count == "1") {',
        "  debugger;",
        "}",
        'eval("count");',
        "console.log(count);",
        "",
      ].join("\n"),
    );
    expect(status).not.toBe(0);
    expect([...rules].sort()).toEqual([
      "lint/correctness/noUnusedImports",
      "lint/security/noGlobalEval",
      "lint/suspicious/noConsole",
      "lint/suspicious/noDebugger",
      "lint/suspicious/noDoubleEquals",
      "lint/suspicious/noVar",
    ]);
  });

  it("passes clean code, so the failure above is the rules' doing", () => {
    const { status, rules } = lint('export const count = Number(process.argv[2]) === 1 ? "one" : "other";\n');
    expect(rules.size).toBe(0);
    expect(status).toBe(0);
  });
});
