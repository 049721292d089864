// Many adds and removes at once, over real HTTP (REST and tRPC), on overlapping numbers of two agents: every
// answer is a 200, and afterwards each agent's list is exactly what the answers reported, each number once.
import { createAgent } from "@blocklist/api";
import { createTenant } from "@blocklist/api/testing";
import { describe, expect, it } from "vitest";
import { blockListPath, call } from "./http";
import { testNumber } from "./numbers";
import { seededRandom } from "./random";
import { serverForFile } from "./server";

const REQUESTS = 400;
const PARALLEL = 16;
const POOL = 40;

const { db, server } = await serverForFile();
const alice = await createTenant(db, "alice");
const agents = [alice.agentId, (await createAgent(db, { uid: alice.uid, name: "second" })).agentId];

/** The same number as a caller might write it: E.164, or formatted (the service must see one number). */
const written = (e164: string, style: number) =>
  style === 0 ? e164 : `+1 (${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;

interface Change {
  agentId: string;
  operation: "add" | "remove";
  via: "REST" | "tRPC";
  sent: string[];
  status: number;
  changed: string[];
  failed: { number: string; reason: string }[];
}

async function change(
  agentId: string,
  operation: "add" | "remove",
  via: "REST" | "tRPC",
  numbers: string[],
): Promise<Change> {
  const answer =
    via === "REST"
      ? await call(server.url, operation === "add" ? "POST" : "DELETE", "/api/agent-block-list", {
          key: alice.apiKey,
          body: { uid: alice.uid, agentId, numbers },
        })
      : await call(server.url, "POST", `/api/trpc/blockList.${operation}`, {
          key: alice.apiKey,
          body: { agentId, numbers },
        });
  const body = (
    via === "REST" ? answer.body : (answer.body as { result?: { data?: unknown } }).result?.data
  ) as {
    added?: string[];
    removed?: string[];
    failed?: { number: string; reason: string }[];
  };
  return {
    agentId,
    operation,
    via,
    sent: numbers,
    status: answer.status,
    changed: (operation === "add" ? body?.added : body?.removed) ?? [],
    failed: body?.failed ?? [],
  };
}

describe("concurrent adds and removes", () => {
  it("leave each agent's list exactly as the answers reported, each number once", async () => {
    const next = seededRandom(20261127);
    const pool = Array.from({ length: POOL }, (_, i) => testNumber(i));
    const plans = Array.from({ length: REQUESTS }, () => {
      const size = 1 + Math.floor(next() * 12);
      return {
        agentId: agents[Math.floor(next() * agents.length)] ?? "",
        operation: next() < 0.55 ? ("add" as const) : ("remove" as const),
        via: next() < 0.5 ? ("REST" as const) : ("tRPC" as const),
        numbers: Array.from({ length: size }, () =>
          written(pool[Math.floor(next() * POOL)] ?? "", Math.floor(next() * 2)),
        ),
      };
    });

    const changes: Change[] = [];
    let planned = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let plan = plans[planned++]; plan; plan = plans[planned++]) {
          changes.push(await change(plan.agentId, plan.operation, plan.via, plan.numbers));
        }
      }),
    );

    expect(changes).toHaveLength(REQUESTS);
    expect(changes.filter((c) => c.status !== 200)).toEqual([]);
    // Every input is reported exactly once, changed or failed.
    for (const c of changes) expect(c.changed.length + c.failed.length).toBe(c.sent.length);

    let numbersChecked = 0;
    for (const agentId of agents) {
      const balance = new Map<string, number>();
      for (const c of changes.filter((each) => each.agentId === agentId)) {
        for (const number of c.changed) {
          balance.set(number, (balance.get(number) ?? 0) + (c.operation === "add" ? 1 : -1));
        }
      }
      // Each number alternates added/removed, starting empty: one add more than removes when it is stored.
      for (const [number, net] of balance) expect([0, 1], number).toContain(net);
      const expected = pool.filter((number) => balance.get(number) === 1).sort();

      const list = await call(server.url, "GET", blockListPath({ uid: alice.uid, agentId }), {
        key: alice.apiKey,
      });
      const stored = (list.body as { blockList: string[]; count: number }).blockList;
      expect(stored.length).toBe(new Set(stored).size);
      expect((list.body as { count: number }).count).toBe(stored.length);
      expect([...stored].sort()).toEqual(expected);
      numbersChecked += pool.length;
    }
    const changed = changes.reduce((sum, c) => sum + c.changed.length, 0);
    console.info(
      `concurrency: ${REQUESTS} requests (${PARALLEL} at a time, REST and tRPC, 2 agents, ${POOL} shared numbers), ` +
        `all 200, ${changed} numbers reported changed, ${numbersChecked} agent-number pairs checked, lists exact, no duplicates`,
    );
  });
});
