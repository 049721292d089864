// A CSV import is atomic per file: its backend terminated halfway through the one INSERT of its rows leaves none
// of them, answers 503 (never a 500), and the server goes on serving; sent again, the file stores every row.
//
// The cut is made certain as in atomic.test.ts: an admin transaction holds the last row's key in sorted order (an
// uncommitted insert of the same entry), so the import's statement, which works through its rows in that order,
// has done all the others and waits there. Only then is the backend terminated. A file stored in several
// transactions (any part without that row) would leave rows behind: checked to fail with the insert split in two.
import { ErrorMessage } from "@blocklist/core";
import { expect, it } from "vitest";
import { adminClient, waitingBackend } from "./backends";
import { call } from "./http";
import { testNumber } from "./numbers";
import { serverOnOwnPostgresForFile } from "./server";

const SIZE = 20_000;
const { postgres, server, alice } = await serverOnOwnPostgresForFile();

// Two area codes taking turns, so that every part of the file holds rows from all over the key order.
const numbers = Array.from({ length: SIZE }, (_, i) => testNumber((i % 2) * (SIZE / 2) + Math.floor(i / 2)));
// The last row in key order: the statement has stored every other row of the file when it waits for this one.
const last = [...numbers].sort().at(-1) ?? "";
const file = `match,value,note\n${numbers.map((number) => `number,${number},"from the old, system"`).join("\n")}\n`;
const importPath = `/api/block-list-entries?${new URLSearchParams({ uid: alice.uid, agentId: alice.agentId })}`;

async function importFile() {
  const response = await fetch(new URL(importPath, server.url), {
    method: "POST",
    headers: { "X-Authorization": alice.apiKey, "Content-Type": "text/csv" },
    body: file,
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function stored(): Promise<number> {
  const list = await call(
    server.url,
    "GET",
    `/api/block-list-entries?${new URLSearchParams({ uid: alice.uid, agentId: alice.agentId, limit: "1" })}`,
    { key: alice.apiKey },
  );
  expect(list.status).toBe(200);
  return (list.body as { count: number }).count;
}

it("a terminated backend stores none of the file's rows; sent again, all of them", async () => {
  const holder = await adminClient(postgres.url);
  const watcher = await adminClient(postgres.url);
  try {
    await holder.query("BEGIN");
    await holder.query("INSERT INTO entries (org_id, agent_id, value) VALUES ($1, $2, $3)", [
      alice.orgId,
      alice.agentId,
      last,
    ]);
    const answer = importFile();
    const pid = await waitingBackend(watcher, "%INSERT INTO entries%");
    await watcher.query("SELECT pg_terminate_backend($1)", [pid]);
    expect(await answer).toEqual({ status: 503, body: { error: ErrorMessage.serviceUnavailable } });
    await holder.query("ROLLBACK");
    expect(await stored()).toBe(0);

    const again = await importFile();
    expect({ status: again.status, failed: (again.body as { failed: unknown[] }).failed }).toEqual({
      status: 200,
      failed: [],
    });
    expect(await stored()).toBe(SIZE);
    expect(server.output()).not.toContain(ErrorMessage.internal);
    console.info(`csv-atomic: a file of ${SIZE} rows terminated halfway stored 0; sent again, ${SIZE}`);
  } finally {
    await holder.end();
    await watcher.end();
  }
}, 300_000);
