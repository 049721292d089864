// SHUTDOWN_DRAIN_MS: after SIGTERM the instance answers 503 on /api/ready at once, so that a balancer takes it out,
// and keeps serving everything else on new connections until the delay ends; then it stops as without it, exit 0
// (docs/DECISIONS.md, "Draining behind a balancer"; pnpm test:scale drains one under load behind HAProxy).
import { describe, expect, it } from "vitest";
import { serverForFile } from "./server";

const DRAIN_MS = 3000;
const { server } = await serverForFile({ SHUTDOWN_DRAIN_MS: String(DRAIN_MS) });

/** Status of a GET on a new connection, or the error's code when none could be made. */
async function statusOf(path: string): Promise<number | string> {
  try {
    const response = await fetch(`${server.url}${path}`, { headers: { Connection: "close" } });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? "failed";
  }
}

describe("SHUTDOWN_DRAIN_MS", () => {
  it("keeps serving while not ready for the drain, then stops listening and exits 0", async () => {
    expect([await statusOf("/api/ready"), await statusOf("/api/health")]).toEqual([200, 200]);
    const sent = Date.now();
    const exited = server.stop("SIGTERM");
    await expect.poll(() => statusOf("/api/ready")).toBe(503);
    // New connections are still taken, and answered, during the drain.
    expect(await statusOf("/api/health")).toBe(200);
    expect(Date.now() - sent).toBeLessThan(DRAIN_MS);
    expect(await exited).toBe(0);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(DRAIN_MS);
    expect(await statusOf("/api/health")).toBe("ECONNREFUSED");
  });
});
