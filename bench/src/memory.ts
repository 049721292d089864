// Server memory from /proc/<pid>/status (Linux): the resident set now, and its peak while some work runs.
import { readFile, writeFile } from "node:fs/promises";

export interface Memory {
  /** VmRSS, bytes. */
  rss: number;
  /** VmHWM, bytes: the highest RSS since start or since the last resetPeak(). */
  peak: number;
}

export async function readMemory(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kilobytes = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match?.[1]) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rss: kilobytes("VmRSS"), peak: kilobytes("VmHWM") };
}

/** Restarts VmHWM from the current RSS (clear_refs "5"); false where the kernel or permissions refuse. */
async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

const SAMPLE_INTERVAL_MS = 5;

/**
 * Runs `work` while sampling the process's RSS; the peak is the highest sample, or VmHWM when it could be
 * reset first (it also sees peaks between two samples).
 */
export async function withPeakMemory<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peak: number }> {
  const peakResettable = await resetPeak(pid);
  let sampledPeak = (await readMemory(pid)).rss;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      sampledPeak = Math.max(sampledPeak, (await readMemory(pid)).rss);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS));
    }
  })();
  try {
    const result = await work();
    return { result, peak: Math.max(sampledPeak, peakResettable ? (await readMemory(pid)).peak : 0) };
  } finally {
    sampling = false;
    await sampler;
  }
}
