// Readiness follows the database: 503 while it is down, 200 again once it is back, with no restart of ours.
import { ErrorMessage } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { type Answer, call } from "./http";
import { serverOnOwnPostgresForFile } from "./server";

const { postgres, server, alice } = await serverOnOwnPostgresForFile();

/** Asks /api/ready until it answers `status` (it reuses a check for a second), or fails after `ms`. */
async function readyUntil(status: number, ms = 20_000): Promise<Answer> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await call(server.url, "GET", "/api/ready");
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function logLines(): Record<string, unknown>[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("GET /api/ready", () => {
  it("answers 200 while the database is up and migrated", async () => {
    expect(await call(server.url, "GET", "/api/ready")).toMatchObject({
      status: 200,
      body: { status: "ready", checks: { server: "ok", database: "ok", migrations: "ok" } },
    });
    expect(await call(server.url, "GET", "/api/health")).toMatchObject({
      status: 200,
      body: { status: "ok" },
    });
  });

  it("turns 503 when the database stops and 200 again when it returns", async () => {
    const organizations = () => call(server.url, "GET", "/api/organizations", { key: alice.apiKey });
    expect((await organizations()).status).toBe(200);
    const url = postgres.url;

    await postgres.stop();
    expect(await readyUntil(503)).toMatchObject({
      status: 503,
      body: {
        status: "unavailable",
        checks: { server: "ok", database: "unreachable", migrations: "unknown" },
      },
    });
    // Liveness does not depend on the database.
    expect((await call(server.url, "GET", "/api/health")).status).toBe(200);

    // A request that needs the database fails as a bare 503, and its line carries the cause.
    const failed = await organizations();
    expect(failed).toMatchObject({ status: 503, body: { error: ErrorMessage.serviceUnavailable } });
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(Object.keys(failed.body as object)).toEqual(["error"]);
    const requestId = failed.headers.get("x-request-id");
    await expect
      .poll(() => logLines().find((line) => line.requestId === requestId))
      .toMatchObject({ level: "error", status: 503, route: "/api/organizations", err: expect.any(Object) });
    expect(logLines().filter((line) => line.msg === "Not ready")).toHaveLength(1);

    await postgres.start();
    expect(postgres.url).toBe(url);
    expect(await readyUntil(200)).toMatchObject({ status: 200, body: { status: "ready" } });
    // The pool reconnects by itself.
    const recovered = await organizations();
    expect(recovered).toMatchObject({ status: 200 });
    // "Ready again" was written before this request's line, on the same stream: once that line is in, so is it.
    const recoveredId = recovered.headers.get("x-request-id");
    await server.untilOutput(() => logLines().some((line) => line.requestId === recoveredId));
    expect(logLines().filter((line) => line.msg === "Ready again")).toHaveLength(1);
  });
});
