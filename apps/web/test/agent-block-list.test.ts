import { createAgent, revokeApiKey } from "@blocklist/api";
import { createTenant, impossibleIdsLike, type Tenant } from "@blocklist/api/testing";
import { ErrorMessage, FailureReason, INVALID_CURSOR_ISSUE, SUCCESS_MESSAGE } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { blockListPath, type CallOptions, call } from "./http";
import { untilRefused } from "./revocation";
import { serverForFile, startServer } from "./server";

const { db, databaseUrl, server } = await serverForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

const api = (method: string, path: string, options?: CallOptions) => call(server.url, method, path, options);
const unauthorized = { status: 401, body: { error: ErrorMessage.invalidKey } };
const forbidden = { status: 401, body: { error: ErrorMessage.insufficientPermissions } };

async function newAgent(tenant: Tenant): Promise<string> {
  return (await createAgent(db, { uid: tenant.uid, name: "agent" })).agentId;
}

async function stored(agentId: string): Promise<string[]> {
  const rows = await db.entry.findMany({
    where: { agentId },
    orderBy: { seq: "asc" },
    select: { value: true },
  });
  return rows.flatMap((row) => row.value ?? []);
}

describe("authentication comes first (401)", () => {
  const cases: [string, Partial<CallOptions>][] = [
    ["a missing header", {}],
    ["an empty header", { key: "" }],
    ["an unknown key", { key: "bl_unknownunknownunknownunknown1234" }],
  ];

  it.each(cases)("refuses %s on every method, even with a malformed request", async (_label, options) => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const answer = await api(method, "/api/agent-block-list", {
        ...options,
        ...(method === "GET" ? {} : { rawBody: "{" }),
      });
      expect({ status: answer.status, body: answer.body }).toEqual(unauthorized);
    }
    const organizations = await api("GET", "/api/organizations", options);
    expect({ status: organizations.status, body: organizations.body }).toEqual(unauthorized);
  });

  it("refuses a revoked key within the check cache's trust window", async () => {
    const tenant = await createTenant(db, "revoked");
    const path = blockListPath({ uid: tenant.uid, agentId: tenant.agentId });
    expect((await api("GET", path, { key: tenant.apiKey })).status).toBe(200);
    await revokeApiKey(db, tenant.caller.keyId);
    const answer = await untilRefused(performance.now(), () => api("GET", path, { key: tenant.apiKey }));
    expect({ status: answer.status, body: answer.body }).toEqual(unauthorized);
  });
});

describe("GET /api/agent-block-list", () => {
  it("answers the whole list oldest first with its count", async () => {
    const agentId = await newAgent(alice);
    await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers: ["+14155552671"] },
    });
    await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers: ["+442079460958"] },
    });

    const answer = await api("GET", blockListPath({ uid: alice.uid, agentId }), { key: alice.readOnlyKey });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 200,
      body: { blockList: ["+14155552671", "+442079460958"], count: 2 },
    });
  });

  it("pages with limit and cursor, walking the list exactly once", async () => {
    const agentId = await newAgent(alice);
    const numbers = Array.from({ length: 25 }, (_, i) => `+1415555${String(3000 + i)}`);
    await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers },
    });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const query = { uid: alice.uid, agentId, limit: "10", ...(cursor ? { cursor } : {}) };
      const answer = await api("GET", blockListPath(query), { key: alice.apiKey });
      expect(answer.status).toBe(200);
      const page = answer.body as { blockList: string[]; count: number; nextCursor?: string };
      expect(page.count).toBe(25);
      seen.push(...page.blockList);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(numbers);
  });

  it.each([
    ["uid missing", { agentId: "agt_x" }, "uid"],
    ["uid empty", { uid: "", agentId: "agt_x" }, "uid"],
    ["agentId missing", { uid: "usr_x" }, "agentId"],
    ["agentId empty", { uid: "usr_x", agentId: "" }, "agentId"],
    ["limit zero", { uid: "usr_x", agentId: "agt_x", limit: "0" }, "limit"],
    ["limit too large", { uid: "usr_x", agentId: "agt_x", limit: "10001" }, "limit"],
    ["limit not a number", { uid: "usr_x", agentId: "agt_x", limit: "ten" }, "limit"],
    ["cursor forged", { uid: "usr_x", agentId: "agt_x", cursor: "bm90LWEtY3Vyc29y" }, "cursor"],
  ])("answers 400 when %s, before checking permissions", async (_label, query, path) => {
    const answer = await api("GET", blockListPath(query), { key: alice.apiKey });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: ErrorMessage.invalidQuery,
      issues: [{ path, message: expect.any(String) }],
    });
  });

  it("answers a foreign agent exactly like a missing one, and another user's uid as insufficient", async () => {
    const foreign = await api("GET", blockListPath({ uid: alice.uid, agentId: bob.agentId }), {
      key: alice.apiKey,
    });
    const missing = await api("GET", blockListPath({ uid: alice.uid, agentId: "agt_doesnotexist00000" }), {
      key: alice.apiKey,
    });
    const otherUid = await api("GET", blockListPath({ uid: bob.uid, agentId: bob.agentId }), {
      key: alice.apiKey,
    });
    for (const answer of [foreign, missing, otherUid])
      expect({ status: answer.status, body: answer.body }).toEqual(forbidden);
  });
});

describe("ids and cursors the service never made", () => {
  it("answers an agent id that cannot exist exactly like a missing one, on every method", async () => {
    const missing = "agt_00000000000missing00";
    for (const method of ["GET", "POST", "DELETE"]) {
      const send = (agentId: string) =>
        method === "GET"
          ? api(method, blockListPath({ uid: alice.uid, agentId }), { key: alice.apiKey })
          : api(method, "/api/agent-block-list", {
              key: alice.apiKey,
              body: { uid: alice.uid, agentId, numbers: ["+14155552671"] },
            });
      const answer = await send(missing);
      expect({ status: answer.status, body: answer.body }).toEqual(forbidden);
      for (const [label, agentId] of impossibleIdsLike(alice.agentId)) {
        const odd = await send(agentId);
        expect({ status: odd.status, body: odd.body }, `${method}, ${label}`).toEqual(forbidden);
      }
    }
    // The same for a uid: it is compared with the key's own user.
    for (const [label, uid] of impossibleIdsLike(alice.uid)) {
      const odd = await api("GET", blockListPath({ uid, agentId: alice.agentId }), { key: alice.apiKey });
      expect({ status: odd.status, body: odd.body }, `uid, ${label}`).toEqual(forbidden);
    }
  });

  /** The cursor of the first page of `agentId`'s list, in pages of one. */
  async function firstCursor(agentId: string, baseUrl = server.url): Promise<string> {
    const answer = await call(baseUrl, "GET", blockListPath({ uid: alice.uid, agentId, limit: "1" }), {
      key: alice.apiKey,
    });
    const { nextCursor } = answer.body as { nextCursor?: string };
    if (!nextCursor) throw new Error(`no nextCursor in ${JSON.stringify(answer.body)}`);
    return nextCursor;
  }

  async function agentWith(numbers: string[]): Promise<string> {
    const agentId = await newAgent(alice);
    await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers },
    });
    return agentId;
  }

  it("gives cursors that say nothing of the table: not the row's id, in no encoding", async () => {
    const agentId = await agentWith(["+14155550001", "+14155550002"]);
    const [first] = await db.entry.findMany({
      where: { agentId },
      orderBy: { seq: "asc" },
      select: { seq: true },
    });
    const rowId = first?.seq ?? 0n;
    const cursors = [await firstCursor(agentId), await firstCursor(agentId)];
    const asNumber = Buffer.alloc(8);
    asNumber.writeBigUInt64BE(rowId);
    for (const cursor of cursors) {
      const bytes = Buffer.from(cursor, "base64url");
      expect(bytes.toString("latin1"), cursor).not.toContain(String(rowId));
      expect(bytes.includes(asNumber), cursor).toBe(false);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]{50}$/);
    }
    // The same page twice gives two cursors: nothing to compare between answers either.
    expect(cursors[0]).not.toBe(cursors[1]);
  });

  it("refuses with 400 any cursor it did not issue for this very list", async () => {
    const agentId = await agentWith(["+14155550001", "+14155550002"]);
    const otherAgentId = await agentWith(["+14155550001", "+14155550002"]);
    const cursor = await firstCursor(agentId);
    const edited = `${cursor.slice(0, 25)}${cursor[25] === "A" ? "B" : "A"}${cursor.slice(26)}`;
    const cases: [string, string, string][] = [
      ["another agent's cursor", otherAgentId, cursor],
      ["an edited cursor", agentId, edited],
      ["a cursor cut short", agentId, cursor.slice(0, 40)],
      ["an id above bigint, as earlier releases wrote it", agentId, "bjo5OTk5OTk5OTk5OTk5OTk5OTk5"],
      ["a row id, as earlier releases wrote it", agentId, Buffer.from("n:1").toString("base64url")],
      ["a NUL", agentId, "\u0000"],
      ["5,000 characters", agentId, cursor.repeat(100)],
    ];
    for (const [label, agent, sent] of cases) {
      const answer = await api(
        "GET",
        blockListPath({ uid: alice.uid, agentId: agent, limit: "1", cursor: sent }),
        {
          key: alice.apiKey,
        },
      );
      expect({ status: answer.status, body: answer.body }, label).toEqual({
        status: 400,
        body: { error: ErrorMessage.invalidQuery, issues: [INVALID_CURSOR_ISSUE] },
      });
    }
  });

  it("pages on any instance: a cursor of one server works on another on the same database", async () => {
    const numbers = Array.from({ length: 6 }, (_, i) => `+1415555${String(4000 + i)}`);
    const agentId = await agentWith(numbers);
    const second = await startServer({ DATABASE_URL: databaseUrl });
    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    try {
      do {
        // Each page from the other server than the one that issued the cursor.
        const baseUrl = page % 2 === 0 ? server.url : second.url;
        const query = { uid: alice.uid, agentId, limit: "2", ...(cursor ? { cursor } : {}) };
        const answer = await call(baseUrl, "GET", blockListPath(query), { key: alice.apiKey });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        const body = answer.body as { blockList: string[]; nextCursor?: string };
        seen.push(...body.blockList);
        cursor = body.nextCursor;
        page++;
      } while (cursor);
    } finally {
      await second.stop();
    }
    expect({ pages: page, seen }).toEqual({ pages: 3, seen: numbers });
  });
});

describe("POST /api/agent-block-list", () => {
  it("adds numbers and reports each failure with the input as sent", async () => {
    const agentId = await newAgent(alice);
    await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers: ["+14155552671"] },
    });

    const answer = await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: {
        uid: alice.uid,
        agentId,
        numbers: [
          "+44 20 7946 0958",
          "+1 (415) 555-2671",
          "4155552671",
          "+442079460958",
          "+14155552671 ext. 12",
        ],
      },
    });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 200,
      body: {
        message: SUCCESS_MESSAGE,
        added: ["+442079460958"],
        failed: [
          { number: "+1 (415) 555-2671", reason: FailureReason.alreadyBlocked },
          { number: "4155552671", reason: FailureReason.invalidFormat },
          { number: "+442079460958", reason: FailureReason.duplicateInRequest },
          { number: "+14155552671 ext. 12", reason: FailureReason.invalidFormat },
        ],
      },
    });
    expect(await stored(agentId)).toEqual(["+14155552671", "+442079460958"]);
  });

  it("answers 200 when every number fails", async () => {
    const answer = await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId: alice.agentId, numbers: ["+1234567890"] },
    });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 200,
      body: {
        message: SUCCESS_MESSAGE,
        added: [],
        failed: [{ number: "+1234567890", reason: FailureReason.invalidFormat }],
      },
    });
  });

  it("stores each number once and reports it added once across 16 concurrent requests", async () => {
    const agentId = await newAgent(alice);
    const numbers = Array.from({ length: 60 }, (_, i) => `+1415555${String(4000 + i)}`);
    const answers = await Promise.all(
      Array.from({ length: 16 }, () =>
        api("POST", "/api/agent-block-list", {
          key: alice.apiKey,
          body: { uid: alice.uid, agentId, numbers },
        }),
      ),
    );
    const added = answers.flatMap((answer) => (answer.body as { added: string[] }).added);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(added.sort()).toEqual([...numbers].sort());
    expect((await stored(agentId)).sort()).toEqual([...numbers].sort());
  });
});

describe("DELETE /api/agent-block-list", () => {
  it("removes numbers and reports the rest with their reasons", async () => {
    const agentId = await newAgent(alice);
    await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers: ["+14155552671", "+442079460958"] },
    });
    const answer = await api("DELETE", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers: ["+1.415.555.2671", "+14155552671", "+33142685300", ""] },
    });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 200,
      body: {
        message: SUCCESS_MESSAGE,
        removed: ["+14155552671"],
        failed: [
          { number: "+14155552671", reason: FailureReason.duplicateInRequest },
          { number: "+33142685300", reason: FailureReason.notFound },
          { number: "", reason: FailureReason.invalidFormat },
        ],
      },
    });
    expect(await stored(agentId)).toEqual(["+442079460958"]);
  });

  it("reports each number removed once across 16 concurrent requests", async () => {
    const agentId = await newAgent(alice);
    const numbers = Array.from({ length: 60 }, (_, i) => `+1415555${String(5000 + i)}`);
    await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers },
    });
    const answers = await Promise.all(
      Array.from({ length: 16 }, () =>
        api("DELETE", "/api/agent-block-list", {
          key: alice.apiKey,
          body: { uid: alice.uid, agentId, numbers },
        }),
      ),
    );
    const removed = answers.flatMap((answer) => (answer.body as { removed: string[] }).removed);
    expect(removed.sort()).toEqual([...numbers].sort());
    expect(await stored(agentId)).toEqual([]);
  });
});

describe.each(["POST", "DELETE"])("%s body rules (400) and permissions (401)", (method) => {
  const valid = () => ({ uid: alice.uid, agentId: alice.agentId, numbers: ["+14155552671"] });

  it.each([
    ["not JSON", "{not json", ErrorMessage.invalidJson],
    ["empty", "", ErrorMessage.invalidJson],
  ])("answers 400 when the body is %s", async (_label, rawBody, error) => {
    const answer = await api(method, "/api/agent-block-list", { key: alice.apiKey, rawBody });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: { error } });
  });

  it.each<[string, (body: ReturnType<typeof valid>) => unknown, string]>([
    ["an array", () => [], ""],
    ["null", () => null, ""],
    ["a string", () => "numbers", ""],
    ["missing uid", ({ uid: _uid, ...rest }) => rest, "uid"],
    ["missing agentId", ({ agentId: _agentId, ...rest }) => rest, "agentId"],
    ["missing numbers", ({ numbers: _numbers, ...rest }) => rest, "numbers"],
    ["numbers not an array", (body) => ({ ...body, numbers: "+14155552671" }), "numbers"],
    ["numbers empty", (body) => ({ ...body, numbers: [] }), "numbers"],
    [
      "numbers over 10,000",
      (body) => ({ ...body, numbers: Array.from({ length: 10_001 }, () => "+14155552671") }),
      "numbers",
    ],
    ["a number not a string", (body) => ({ ...body, numbers: ["+14155552671", 14155552672] }), "numbers.1"],
    ["uid not a string", (body) => ({ ...body, uid: 7 }), "uid"],
  ])("answers 400 when the body is %s", async (_label, change, path) => {
    const answer = await api(method, "/api/agent-block-list", { key: alice.apiKey, body: change(valid()) });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: ErrorMessage.invalidBody,
      issues: [{ path, message: expect.any(String) }],
    });
  });

  it("answers 400 before checking permissions", async () => {
    const answer = await api(method, "/api/agent-block-list", {
      key: alice.readOnlyKey,
      body: { uid: bob.uid, agentId: bob.agentId, numbers: [] },
    });
    expect(answer.status).toBe(400);
  });

  it("refuses a read-only key, another user's uid, a foreign and a missing agent alike, changing nothing", async () => {
    await db.entry.createMany({
      data: [{ orgId: bob.orgId, agentId: bob.agentId, value: "+14155550123" }],
      skipDuplicates: true,
    });
    const attempts: CallOptions[] = [
      { key: alice.readOnlyKey, body: valid() },
      {
        key: alice.apiKey,
        body: { ...valid(), uid: bob.uid, agentId: bob.agentId, numbers: ["+14155550123", "+14155550124"] },
      },
      {
        key: alice.apiKey,
        body: { ...valid(), agentId: bob.agentId, numbers: ["+14155550123", "+14155550124"] },
      },
      { key: alice.apiKey, body: { ...valid(), agentId: "agt_doesnotexist00000" } },
    ];
    for (const attempt of attempts) {
      const answer = await api(method, "/api/agent-block-list", attempt);
      expect({ status: answer.status, body: answer.body }).toEqual(forbidden);
    }
    expect(await stored(bob.agentId)).toEqual(["+14155550123"]);
  });
});

describe("unsupported methods and failures", () => {
  it.each([
    ["/api/agent-block-list", "PUT", "GET, POST, DELETE"],
    ["/api/agent-block-list", "PATCH", "GET, POST, DELETE"],
    ["/api/organizations", "POST", "GET"],
    ["/api/organizations", "DELETE", "GET"],
  ])("%s answers %s with 405 and Allow", async (path, method, allow) => {
    const answer = await api(method, path, { key: alice.apiKey, body: {} });
    expect({ status: answer.status, allow: answer.headers.get("allow"), body: answer.body }).toEqual({
      status: 405,
      allow,
      body: { error: ErrorMessage.methodNotAllowed },
    });
  });

  it("answers unknown API paths with 404 JSON", async () => {
    const answer = await api("GET", "/api/agent-block-lists", { key: alice.apiKey });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 404,
      body: { error: ErrorMessage.notFound },
    });
  });

  it("answers a database failure with a bare 500 and keeps what was stored", async () => {
    const agentId = await newAgent(alice);
    await api("POST", "/api/agent-block-list", {
      key: alice.apiKey,
      body: { uid: alice.uid, agentId, numbers: ["+14155552671"] },
    });
    // A real fault: the table the request needs is gone for a moment.
    await db.$executeRawUnsafe("ALTER TABLE entries RENAME TO entries_away");
    try {
      const answer = await api("POST", "/api/agent-block-list", {
        key: alice.apiKey,
        body: { uid: alice.uid, agentId, numbers: ["+442079460958"] },
      });
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 500,
        body: { error: ErrorMessage.internal },
      });
    } finally {
      await db.$executeRawUnsafe("ALTER TABLE entries_away RENAME TO entries");
    }
    expect(await stored(agentId)).toEqual(["+14155552671"]);
  });
});

describe("GET /api/organizations", () => {
  it("lists the key's organizations with their agents", async () => {
    const tenant = await createTenant(db, "orgs");
    const answer = await api("GET", "/api/organizations", { key: tenant.readOnlyKey });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 200,
      body: {
        organizations: [
          { id: tenant.orgId, name: "orgs", agents: [{ id: tenant.agentId, name: "orgs agent" }] },
        ],
      },
    });
  });
});
