// `pnpm build` compiles the server (server.ts and the workspace packages it imports, which export TypeScript
// source) into one ES module, dist/server.mjs, that `node` runs without tsx. Packages from node_modules stay
// outside the bundle and are imported from where pnpm put them for the importing package (its strict layout
// gives apps/web no access to, say, @prisma/client, which packages/db depends on). Each bundled file keeps its
// own `import.meta.url`, so code that finds files next to its source (migrations, Next's app folder, Prisma's
// generated client) finds them as it does under tsx.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const appDir = path.dirname(fileURLToPath(import.meta.url));
const workspaceRoot = path.resolve(appDir, "../..");
const isWorkspaceSource = (file) =>
  file.startsWith(workspaceRoot) && !file.includes(`${path.sep}node_modules${path.sep}`);

const keepNodeModulesOutside = {
  name: "node-modules-outside",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith("node:") || args.path.startsWith("@blocklist/")) return undefined;
      if (args.pluginData === "resolving") return undefined;
      const resolved = await esbuild.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "resolving",
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      if (isWorkspaceSource(resolved.path)) return undefined;
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
    esbuild.onLoad({ filter: /\.[cm]?tsx?$/ }, async (args) => {
      if (!isWorkspaceSource(args.path)) return undefined;
      const source = await readFile(args.path, "utf8");
      return {
        contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
        loader: args.path.endsWith("x") ? "tsx" : "ts",
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

await build({
  entryPoints: [path.join(appDir, "server.ts")],
  outfile: path.join(appDir, "dist/server.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  plugins: [keepNodeModulesOutside],
});
