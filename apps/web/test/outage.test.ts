// The database stops under traffic and comes back: answers are fast JSON 503s meanwhile, the server recovers by
// itself, and every number whose add was answered 200 is still stored.
import { ErrorMessage } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { call } from "./http";
import { testNumber } from "./numbers";
import { serverOnOwnPostgresForFile } from "./server";
import { INTERNALS, startTraffic, type TrafficAnswer, until } from "./traffic";

const CONNECT_TIMEOUT_MS = 1000;
// Far beyond the connect timeout: an answer slower than this counts as a hang.
const GIVE_UP_MS = 30_000;

const { postgres, server, alice } = await serverOnOwnPostgresForFile(CONNECT_TIMEOUT_MS);

const ok = (answer: TrafficAnswer) => answer.status === 200;
const count = (answers: TrafficAnswer[], phase: string, test: (answer: TrafficAnswer) => boolean) =>
  answers.filter((answer) => answer.answeredIn === phase && test(answer)).length;

/** What a request sent while the database is away must answer: 503, JSON, Retry-After, nothing else. */
function expectServiceUnavailable(answer: TrafficAnswer): void {
  const where = `${answer.kind} sent while the database was down: ${answer.status} ${answer.body} ${answer.failure ?? ""}`;
  expect(answer.status, where).toBe(503);
  expect(answer.contentType, where).toMatch(/^application\/json/);
  expect(answer.retryAfter, where).toBe("1");
  expect(JSON.parse(answer.body), where).toEqual(
    answer.kind === "check"
      ? {
          error: {
            message: ErrorMessage.serviceUnavailable,
            code: -32603,
            data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 },
          },
        }
      : { error: ErrorMessage.serviceUnavailable },
  );
}

describe("a database outage under traffic", () => {
  it("answers JSON 503 while PostgreSQL is down, recovers without a restart, and loses nothing", async () => {
    const traffic = startTraffic({
      baseUrl: () => server.url,
      tenant: alice,
      workers: 4,
      numberAt: testNumber,
      numbersPerAdd: 5,
      giveUpMs: GIVE_UP_MS,
    });
    try {
      await until(
        () => count(traffic.answers, "before", (a) => a.kind === "add" && ok(a)) >= 20,
        "adds before",
      );

      traffic.phase = "stopping";
      await postgres.stop();
      traffic.phase = "down";
      await until(
        () => traffic.answers.filter((a) => a.sentIn === "down" && a.answeredIn === "down").length >= 60,
        "answers while down",
      );

      traffic.phase = "starting";
      await postgres.start();
      traffic.phase = "up";
      await until(() => count(traffic.answers, "up", (a) => a.kind === "add" && ok(a)) >= 20, "adds after");
    } finally {
      await traffic.stop();
    }

    const { answers } = traffic;
    const duringOutage = answers.filter((a) => a.sentIn === "down" && a.answeredIn === "down");
    for (const answer of duringOutage) expectServiceUnavailable(answer);
    for (const kind of ["add", "list", "check"] as const) {
      expect(duringOutage.some((a) => a.kind === kind)).toBe(true);
    }
    // Whenever it was sent, every request got an answer: 200, or 503 around the stop; never a hang, never
    // anything with internals.
    for (const answer of answers) {
      const where = `${answer.kind} ${answer.sentIn}→${answer.answeredIn}: ${answer.status} ${answer.body} ${answer.failure ?? ""}`;
      expect([200, 503], where).toContain(answer.status);
      expect(answer.contentType, where).toMatch(/^application\/json/);
      if (answer.status !== 200) expect(answer.body, where).not.toMatch(INTERNALS);
    }
    expect(answers.filter((a) => a.sentIn === "up").every(ok)).toBe(true);

    // Nothing whose add was answered 200 is lost, before the stop or after.
    const addedOk = answers.filter((a) => a.kind === "add" && ok(a)).flatMap((a) => a.numbers);
    const list = await call(
      server.url,
      "GET",
      `/api/agent-block-list?${new URLSearchParams({ uid: alice.uid, agentId: alice.agentId })}`,
      { key: alice.apiKey },
    );
    expect(list.status).toBe(200);
    const stored = (list.body as { blockList: string[] }).blockList;
    expect(new Set(stored).size).toBe(stored.length);
    const missing = addedOk.filter((number) => !stored.includes(number));
    expect(missing).toEqual([]);

    // The errors of the outage are logged with their causes, never with the key.
    expect(server.output()).not.toContain(alice.apiKey);

    const slowest = Math.max(...duringOutage.map((a) => a.ms));
    console.info(
      `outage: ${answers.length} requests, ${duringOutage.length} sent and answered while PostgreSQL was down ` +
        `(all JSON 503 with Retry-After, slowest ${slowest.toFixed(0)} ms, connect timeout ${CONNECT_TIMEOUT_MS} ms), ` +
        `${addedOk.length} numbers answered 200 checked in ${stored.length} stored, 0 lost`,
    );
  });
});
