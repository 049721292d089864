import { afterEach, describe, expect, it } from "vitest";
import { reportTrust, type TrustReport } from "./trustReport";

let report: TrustReport | undefined;
afterEach(() => report?.stop());

function watched(graceMs: number) {
  const cache = { trusted: false };
  const lines: string[] = [];
  const note = (level: string) => (fields: object, message: string) =>
    lines.push(`${level}: ${message.split(" (")[0]}${"err" in fields ? ` [${String(fields.err)}]` : ""}`);
  report = reportTrust(cache, {
    intervalMs: 5,
    graceMs,
    logger: () => ({ error: note("error"), warn: note("warn"), info: note("info") }),
  });
  return { cache, lines, report };
}

const NOT_ARRIVING =
  "warn: Check cache off: heartbeat notifications sent through the database pool do not arrive on the listening connection, using the database";

describe("reportTrust", () => {
  it("says each change of trust once: not arriving after the grace, on again, lost at once", async () => {
    const { cache, lines, report } = watched(30);
    await expect.poll(() => lines).toEqual([NOT_ARRIVING]);
    cache.trusted = true;
    await expect
      .poll(() => lines)
      .toEqual([NOT_ARRIVING, "info: Check cache on again: change notifications arrive"]);
    cache.trusted = false;
    report.lost(new Error("connection ended"));
    // At once, not at the next look.
    expect(lines.at(-1)).toBe(
      "warn: Check cache off: change notifications lost, using the database [Error: connection ended]",
    );
    report.listening();
    cache.trusted = true;
    await expect.poll(() => lines).toHaveLength(4);
    // Trust ends by time passing (no heartbeat back), with no event: the timer notices it.
    cache.trusted = false;
    await expect.poll(() => lines).toHaveLength(5);
    expect(lines).toEqual([
      NOT_ARRIVING,
      "info: Check cache on again: change notifications arrive",
      "warn: Check cache off: change notifications lost, using the database [Error: connection ended]",
      "info: Check cache on again: change notifications arrive",
      NOT_ARRIVING,
    ]);
  });
});
