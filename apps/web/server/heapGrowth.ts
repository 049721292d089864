// How far V8 lets the heap grow past what survived its last full collection before it collects again. By default
// it picks a factor of up to 4 from how fast it collects (about 2 here): with the check cache's lists live, the
// service's heap went to ~340 MB at the end of `pnpm bench` for ~145 MB live, most of it garbage not yet
// collected. 10 % keeps the garbage to a tenth of the live heap, for more collecting (docs/BENCHMARKS.md, "RSS
// after the run": RSS 488 → 240 MB with the shared strings; `check` unchanged within the noise, a list read's
// CPU up by about a quarter).
import v8 from "node:v8";

export const HEAP_GROWING_PERCENT = 10;

/** Sets V8's heap growing factor unless node was started with one of its own; returns whether it did. */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((argument) => argument.startsWith("--heap-growing-percent"))) return false;
  // Read by V8 at every full collection, so setting it once the process runs takes effect.
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
