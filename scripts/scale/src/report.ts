// The summary of a scale run: throughput, latency and errors by phase, what each part used, and the violations.
import type { Kind, Outcome } from "./load";

export interface PhaseSummary {
  phase: string;
  seconds: number;
  requests: number;
  perSecond: number;
  byKind: Partial<Record<Kind, number>>;
  /** Answers other than 200, by status (0 and why: no HTTP answer). */
  errors: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function summarizePhase(phase: string, seconds: number, outcomes: Outcome[]): PhaseSummary {
  const byKind: Partial<Record<Kind, number>> = {};
  const errors: Record<string, number> = {};
  for (const outcome of outcomes) {
    byKind[outcome.kind] = (byKind[outcome.kind] ?? 0) + 1;
    if (outcome.status !== 200) {
      const label = outcome.error === undefined ? String(outcome.status) : `0 ${outcome.error}`;
      errors[label] = (errors[label] ?? 0) + 1;
    }
  }
  const latencies = outcomes.map((outcome) => outcome.ms).sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    phase,
    seconds: round(seconds),
    requests: outcomes.length,
    perSecond: Math.round(outcomes.length / seconds),
    byKind,
    errors,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}

export function formatSummary(
  phases: PhaseSummary[],
  figures: Record<string, unknown>,
  violations: string[],
) {
  const lines = ["", "pnpm test:scale: summary", ""];
  const header = ["phase", "s", "requests", "req/s", "p50 ms", "p99 ms", "errors (status: count)"];
  const rows = phases.map((phase) => [
    phase.phase,
    String(phase.seconds),
    String(phase.requests),
    String(phase.perSecond),
    String(phase.p50Ms),
    String(phase.p99Ms),
    Object.entries(phase.errors)
      .map(([status, count]) => `${status}: ${count}`)
      .join(", ") || "none",
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  for (const row of [header, ...rows])
    lines.push(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
  lines.push("", "measured:");
  for (const [name, value] of Object.entries(figures)) lines.push(`  ${name}: ${JSON.stringify(value)}`);
  lines.push("");
  if (violations.length === 0)
    lines.push("no violation: nothing reported added was lost, every check agrees");
  else lines.push(`${violations.length} violation(s):`, ...violations.slice(0, 50).map((v) => `  - ${v}`));
  return lines.join("\n");
}
