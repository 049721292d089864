// Each outage is provoked for real against a PostgreSQL of its own, and the error Prisma throws is checked.
import net from "node:net";
import { createPrismaClient, type PrismaClient } from "@blocklist/db";
import { startTestPostgres, type TestPostgres } from "@blocklist/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./databaseUnavailable";

let postgres: TestPostgres;
let prisma: PrismaClient;

beforeAll(async () => {
  postgres = await startTestPostgres();
  prisma = createPrismaClient(postgres.url, { connectionTimeoutMillis: 1000 });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await postgres?.destroy();
});

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error("expected the database call to fail");
    },
    (error: unknown) => error,
  );
}

/** Runs a slow query, terminates its backend from another connection once it runs, returns the query's error. */
async function terminatedQueryError(): Promise<unknown> {
  const slow = failureOf(prisma.$queryRawUnsafe("SELECT pg_sleep(30) AS terminate_me"));
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await expect
      .poll(
        async () =>
          (
            await admin.query(
              "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query LIKE '%AS terminate_me%' AND pid <> pg_backend_pid()",
            )
          ).rowCount,
        { timeout: 20_000 },
      )
      .toBe(1);
  } finally {
    await admin.end();
  }
  return slow;
}

describe("isDatabaseUnavailable", () => {
  it("recognises a backend terminated in the middle of a query", async () => {
    const error = await terminatedQueryError();
    expect(error).toMatchObject({
      meta: { driverAdapterError: { cause: { kind: "postgres", code: "57P01" } } },
    });
    expect(isDatabaseUnavailable(error)).toBe(true);
    // The pool drops that connection; the next query works.
    expect(await prisma.user.count()).toBe(0);
  });

  it("recognises a database that stops during a query and while it is down, and recovers when it returns", async () => {
    await prisma.user.count();
    const during = failureOf(prisma.$queryRawUnsafe("SELECT pg_sleep(30)"));
    // Wait until the query runs, so that the stop cuts it off rather than refusing it.
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await expect
      .poll(
        async () =>
          (await admin.query("SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'")).rowCount,
        { timeout: 20_000 },
      )
      .toBe(1);
    await admin.end();
    await postgres.stop();
    expect(isDatabaseUnavailable(await during)).toBe(true);

    const modelQuery = await failureOf(prisma.user.count());
    expect(modelQuery).toMatchObject({
      code: "P1001",
      meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } },
    });
    expect(isDatabaseUnavailable(modelQuery)).toBe(true);
    expect(isDatabaseUnavailable(await failureOf(prisma.$queryRawUnsafe("SELECT 1")))).toBe(true);
    expect(isDatabaseUnavailable(await failureOf(prisma.$transaction([prisma.user.count()])))).toBe(true);
    expect(isDatabaseUnavailable(await failureOf(prisma.$transaction(async (tx) => tx.user.count())))).toBe(
      true,
    );

    await postgres.start();
    expect(await prisma.user.count()).toBe(0);
  });

  it("recognises a connection that times out (a server that accepts and never answers)", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    const hanging = createPrismaClient(`postgresql://nobody:secret@127.0.0.1:${port}/none`, {
      connectionTimeoutMillis: 300,
    });
    try {
      const error = await failureOf(hanging.user.count());
      expect(error).toMatchObject({ message: "Connection terminated due to connection timeout" });
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await hanging.$disconnect();
      silent.close();
    }
  });

  it("leaves every other error to be a 500", async () => {
    const syntax = await failureOf(prisma.$queryRawUnsafe("SELEC 1"));
    expect(syntax).toMatchObject({
      meta: { driverAdapterError: { cause: { kind: "postgres", code: "42601" } } },
    });
    expect(isDatabaseUnavailable(syntax)).toBe(false);

    await prisma.user.create({ data: { id: "usr_unavailable_test", name: "once" } });
    const duplicate = await failureOf(
      prisma.user.create({ data: { id: "usr_unavailable_test", name: "twice" } }),
    );
    expect(duplicate).toMatchObject({ code: "P2002" });
    expect(isDatabaseUnavailable(duplicate)).toBe(false);

    for (const other of [
      new Error("boom"),
      new TypeError("x is undefined"),
      "text",
      null,
      undefined,
      42,
      {},
    ]) {
      expect(isDatabaseUnavailable(other)).toBe(false);
    }
    // A wrapped outage is still one; a cycle of causes ends.
    expect(
      isDatabaseUnavailable(
        new Error("wrapper", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }),
      ),
    ).toBe(true);
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
  });
});
