import os from "node:os";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  /** 1-minute load average when the run started and ended: how busy the shared machine was. */
  loadAverage: { start: number; end?: number };
}

export function describeMachine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryBytes: os.totalmem(),
    node: process.version,
    loadAverage: { start: os.loadavg()[0] ?? 0 },
  };
}

export function currentLoadAverage(): number {
  return os.loadavg()[0] ?? 0;
}
