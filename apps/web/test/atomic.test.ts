// A POST or DELETE of 10,000 numbers is cut off halfway through its statement (its backend terminated, or
// PostgreSQL stopped): the agent's list then holds all of the request's changes or none, never a part.
//
// Halfway is made certain rather than hoped for: an admin transaction holds the middle number (an uncommitted
// insert, or a row lock), so the request's statement, which works through its numbers in sorted order, has
// done the first half and waits there. Only then is the fault injected.
import { ErrorMessage } from "@blocklist/core";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { adminClient, waitingBackend } from "./backends";
import { type Answer, blockListPath, call } from "./http";
import { testNumber } from "./numbers";
import { serverOnOwnPostgresForFile } from "./server";

const SIZE = 10_000;

const { postgres, server, alice } = await serverOnOwnPostgresForFile();

/** 10,000 numbers of their own for each case; the middle one in sorted order is the one held. */
function numbersOfCase(caseIndex: number): { numbers: string[]; middle: string } {
  const numbers = Array.from({ length: SIZE }, (_, i) => testNumber(caseIndex * SIZE + i));
  const middle = [...numbers].sort()[SIZE / 2] ?? "";
  return { numbers, middle };
}

async function storedOf(numbers: string[]): Promise<number> {
  const list = await call(server.url, "GET", blockListPath({ uid: alice.uid, agentId: alice.agentId }), {
    key: alice.apiKey,
  });
  expect(list.status).toBe(200);
  const stored = new Set((list.body as { blockList: string[] }).blockList);
  return numbers.filter((number) => stored.has(number)).length;
}

const send = (method: "POST" | "DELETE", numbers: string[]): Promise<Answer> =>
  call(server.url, method, "/api/agent-block-list", {
    key: alice.apiKey,
    body: { uid: alice.uid, agentId: alice.agentId, numbers },
  });

/** Holds `middle` in an open transaction: an uncommitted insert (against a POST) or a row lock (a DELETE). */
async function holdMiddle(holder: pg.Client, middle: string, how: "insert" | "lock"): Promise<void> {
  await holder.query("BEGIN");
  if (how === "insert") {
    await holder.query("INSERT INTO entries (org_id, agent_id, value) VALUES ($1, $2, $3)", [
      alice.orgId,
      alice.agentId,
      middle,
    ]);
  } else {
    await holder.query("SELECT seq FROM entries WHERE agent_id = $1 AND value = $2 FOR UPDATE", [
      alice.agentId,
      middle,
    ]);
  }
}

const unavailable = { status: 503, body: { error: ErrorMessage.serviceUnavailable } };

describe("a request cut off halfway", () => {
  it("POST: a terminated backend leaves none of its numbers; sent again, all of them", async () => {
    const { numbers, middle } = numbersOfCase(0);
    const holder = await adminClient(postgres.url);
    const watcher = await adminClient(postgres.url);
    try {
      await holdMiddle(holder, middle, "insert");
      const answer = send("POST", numbers);
      const pid = await waitingBackend(watcher, "%INSERT % entries%");
      await watcher.query("SELECT pg_terminate_backend($1)", [pid]);
      expect(await answer).toMatchObject(unavailable);
      await holder.query("ROLLBACK");
      expect(await storedOf(numbers)).toBe(0);

      // The all side: the same request, uncut, stores every number.
      expect(await send("POST", numbers)).toMatchObject({ status: 200, body: { added: expect.any(Array) } });
      expect(await storedOf(numbers)).toBe(SIZE);
      console.info(
        `atomic: POST of ${SIZE} terminated halfway stored 0 of ${SIZE}; sent again, ${SIZE} of ${SIZE}`,
      );
    } finally {
      await holder.end();
      await watcher.end();
    }
  });

  it("DELETE: a terminated backend removes none of its numbers; sent again, all of them", async () => {
    const { numbers, middle } = numbersOfCase(1);
    expect((await send("POST", numbers)).status).toBe(200);
    const holder = await adminClient(postgres.url);
    const watcher = await adminClient(postgres.url);
    try {
      await holdMiddle(holder, middle, "lock");
      const answer = send("DELETE", numbers);
      const pid = await waitingBackend(watcher, "%DELETE % entries%");
      await watcher.query("SELECT pg_terminate_backend($1)", [pid]);
      expect(await answer).toMatchObject(unavailable);
      await holder.query("ROLLBACK");
      expect(await storedOf(numbers)).toBe(SIZE);

      expect(await send("DELETE", numbers)).toMatchObject({ status: 200 });
      expect(await storedOf(numbers)).toBe(0);
      console.info(
        `atomic: DELETE of ${SIZE} terminated halfway removed 0 of ${SIZE}; sent again, ${SIZE} of ${SIZE}`,
      );
    } finally {
      await holder.end();
      await watcher.end();
    }
  });

  it("POST: PostgreSQL stopping under it leaves none of its numbers", async () => {
    const { numbers, middle } = numbersOfCase(2);
    const holder = await adminClient(postgres.url);
    const watcher = await adminClient(postgres.url);
    await holdMiddle(holder, middle, "insert");
    const answer = send("POST", numbers);
    await waitingBackend(watcher, "%INSERT % entries%");
    await postgres.stop();
    expect(await answer).toMatchObject(unavailable);
    await holder.end().catch(() => {});
    await watcher.end().catch(() => {});

    await postgres.start();
    await expect
      .poll(async () => (await send("POST", [testNumber(99_999)])).status, { timeout: 30_000 })
      .toBe(200);
    expect(await storedOf(numbers)).toBe(0);
    console.info(`atomic: POST of ${SIZE} cut off by a PostgreSQL stop stored 0 of ${SIZE}`);
  });
});
