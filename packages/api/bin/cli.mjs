#!/usr/bin/env node
// `pnpm cli …` resolves to this bin (pnpm runs a bin without printing a script header, so --json output stays
// the only thing on stdout). tsx lets it run the TypeScript source directly.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
