// Server memory and CPU from /proc/<pid>/status and /proc/<pid>/stat (Linux): the resident set now, its peak
// while some work runs, and CPU time used.
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
): Promise<{ result: T; peak: number; before: number }> {
  const peakResettable = await resetPeak(pid);
  const before = (await readMemory(pid)).rss;
  let sampledPeak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      sampledPeak = Math.max(sampledPeak, (await readMemory(pid)).rss);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS));
    }
  })();
  try {
    const result = await work();
    return { result, before, peak: Math.max(sampledPeak, peakResettable ? (await readMemory(pid)).peak : 0) };
  } finally {
    sampling = false;
    await sampler;
  }
}

// Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux everywhere in practice).
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) the process has used so far, seconds. Unlike throughput it barely changes when other
 * work shares the machine, which makes it the steadier comparison on a busy host.
 */
export async function readCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, so 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}
