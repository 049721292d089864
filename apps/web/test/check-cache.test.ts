// Two instances of the real server on one PostgreSQL: what one instance (or the CLI, or plain SQL) changes,
// `blockList.check` on the other sees within a second (README › tRPC), although each answers from memory; and
// after the database restarts, each starts again from what the database holds (changes made while it was not
// listening are not missed).
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { askWithinTrustWindow } from "@blocklist/api/testing/trustWindow";
import { ErrorMessage } from "@blocklist/core";
import { createPrismaClient } from "@blocklist/db";
import { afterAll, describe, expect, it } from "vitest";
import { check, checkAnswer, cacheGauge as gauge } from "./checkCalls";
import { cliJson } from "./cli";
import { call } from "./http";
import { untilRefused } from "./revocation";
import { type RunningServer, twoInstancesForFile } from "./server";

const METRICS_TOKEN = "check-cache-metrics-token-0123";
// What may take longer than the one second a change takes to reach an instance (gauges, a database restart).
const SEEN = { timeout: 15_000, interval: 100 };

const instances = await twoInstancesForFile({ METRICS_TOKEN, DATABASE_CONNECT_TIMEOUT_MS: "1000" });
const { postgres, a, b } = instances;
// Replaced when the database restarts (the old client goes with it).
let prisma = instances.prisma;
afterAll(() => prisma.$disconnect());

const cacheGauge = (server: RunningServer, name: string, labels: Record<string, string> = {}) =>
  gauge(server, METRICS_TOKEN, name, labels);

/**
 * What `check` on `server` answers once it shows the change made at `changedAt` (`expected`), or, if it never
 * does, to the first request sent a full second after the change: the bound the README states.
 */
function checkWithinASecond(
  changedAt: number,
  expected: boolean | number,
  ...[server, key, agentId, number]: Parameters<typeof check>
) {
  return askWithinTrustWindow(
    changedAt,
    () => check(server, key, agentId, number),
    (answer) => answer === expected,
  );
}

const listsHeld = (server: RunningServer) =>
  cacheGauge(server, "blocklist_check_cache_entries", { kind: "lists" });

/**
 * Checks on `server` until more of the agent's lists are held there (its own, its organization's). A load that ends
 * while a heartbeat is late (a busy machine) is not stored, so the check is asked again until one is.
 */
async function warm(server: RunningServer, tenant: Tenant, agentId: string, number: string) {
  const before = (await listsHeld(server)) ?? 0;
  await expect
    .poll(async () => {
      expect(await check(server, tenant.apiKey, agentId, number)).toBe(false);
      return listsHeld(server);
    }, SEEN)
    .toBeGreaterThan(before);
}

describe("blockList.check on two instances", () => {
  it("sees a number added through the other instance, and its removal", async () => {
    const alice = await createTenant(prisma, "alice");
    await expect.poll(() => cacheGauge(b, "blocklist_check_cache_trusted"), SEEN).toBe(1);
    await warm(b, alice, alice.agentId, "+14155552671");

    const body = { uid: alice.uid, agentId: alice.agentId, numbers: ["+1 (415) 555-2671"] };
    expect(await call(a.url, "POST", "/api/agent-block-list", { key: alice.apiKey, body })).toMatchObject({
      status: 200,
      body: { added: ["+14155552671"] },
    });
    const addedAt = performance.now();
    expect(await checkWithinASecond(addedAt, true, b, alice.apiKey, alice.agentId, "+14155552671")).toBe(
      true,
    );

    expect(await call(a.url, "DELETE", "/api/agent-block-list", { key: alice.apiKey, body })).toMatchObject({
      status: 200,
      body: { removed: ["+14155552671"] },
    });
    const removedAt = performance.now();
    expect(await checkWithinASecond(removedAt, false, b, alice.apiKey, alice.agentId, "+14155552671")).toBe(
      false,
    );
  });

  it("refuses on both instances, within a second, a key revoked with the CLI", async () => {
    const bob = await createTenant(prisma, "bob");
    const env = { DATABASE_URL: postgres.url };
    const { keyId, apiKey } = await cliJson(env, "key", "create", "--uid", bob.uid);
    const key = String(apiKey);
    for (const server of [a, b]) {
      await expect.poll(() => cacheGauge(server, "blocklist_check_cache_trusted"), SEEN).toBe(1);
      // Both instances now remember the key as valid.
      expect(await check(server, key, bob.agentId, "+14155552671")).toBe(false);
      expect(await call(server.url, "GET", "/api/organizations", { key })).toMatchObject({ status: 200 });
    }

    await cliJson(env, "key", "revoke", "--key-id", String(keyId));
    const revokedAt = performance.now();
    // Neither instance made the change. On each, the check path and the REST routes (which share the key
    // cache) refuse the key at the latest for a request sent a full second after the CLI answered.
    const answers = await Promise.all(
      [a, b].flatMap((server) => [
        untilRefused(revokedAt, () => checkAnswer(server, key, bob.agentId, "+14155552671")),
        untilRefused(revokedAt, () => call(server.url, "GET", "/api/organizations", { key })),
      ]),
    );
    const trpcRefusal = {
      status: 401,
      body: {
        error: {
          message: ErrorMessage.invalidKey,
          code: -32001,
          data: { code: "UNAUTHORIZED", httpStatus: 401 },
        },
      },
    };
    const restRefusal = { status: 401, body: { error: ErrorMessage.invalidKey } };
    expect(answers.map(({ status, body }) => ({ status, body }))).toEqual([
      trpcRefusal,
      restRefusal,
      trpcRefusal,
      restRefusal,
    ]);
    // The user's other key still works.
    expect(await check(b, bob.apiKey, bob.agentId, "+14155552671")).toBe(false);
  });

  it("stops access when the membership is removed or the agent deleted", async () => {
    const carol = await createTenant(prisma, "carol");
    const team = await prisma.organization.create({ data: { id: "org_checkcacheteam000000", name: "team" } });
    await prisma.membership.create({ data: { userId: carol.uid, organizationId: team.id } });
    const teamAgent = await prisma.agent.create({
      data: { id: "agt_checkcacheteam000000", organizationId: team.id, name: "team line" },
    });
    expect(await check(b, carol.apiKey, teamAgent.id, "+14155552671")).toBe(false);
    expect(await check(b, carol.apiKey, carol.agentId, "+14155552671")).toBe(false);

    await prisma.membership.delete({
      where: { userId_organizationId: { userId: carol.uid, organizationId: team.id } },
    });
    const leftAt = performance.now();
    expect(await checkWithinASecond(leftAt, 403, b, carol.apiKey, teamAgent.id, "+14155552671")).toBe(403);

    await prisma.agent.delete({ where: { id: carol.agentId } });
    const deletedAt = performance.now();
    expect(await checkWithinASecond(deletedAt, 403, b, carol.apiKey, carol.agentId, "+14155552671")).toBe(
      403,
    );
  });

  it("starts from the database again after it restarts, missing nothing changed meanwhile", async () => {
    const dave = await createTenant(prisma, "dave");
    await warm(b, dave, dave.agentId, "+14155552671");
    expect(await check(b, dave.readOnlyKey, dave.agentId, "+14155552671")).toBe(false);

    // The test's own client goes with the database, so that its dropped connections are no one's error.
    await prisma.$disconnect();
    await postgres.stop();
    for (const server of [a, b]) {
      await expect.poll(() => cacheGauge(server, "blocklist_check_cache_trusted"), SEEN).toBe(0);
    }
    await postgres.start();
    prisma = createPrismaClient(postgres.url);
    // At once, before the instances listen again: nothing notifies them of these two changes.
    await prisma.$executeRaw`INSERT INTO entries (org_id, agent_id, value) VALUES (${dave.orgId}, ${dave.agentId}, '+14155552671')`;
    await prisma.$executeRaw`UPDATE api_keys SET revoked_at = now() WHERE user_id = ${dave.uid} AND read_only`;

    for (const server of [a, b]) {
      await expect.poll(() => check(server, dave.apiKey, dave.agentId, "+14155552671"), SEEN).toBe(true);
      expect(await check(server, dave.readOnlyKey, dave.agentId, "+14155552671")).toBe(401);
      await expect.poll(() => cacheGauge(server, "blocklist_check_cache_trusted"), SEEN).toBe(1);
    }
    // Listening again, the cache follows changes as before.
    const second = await prisma.agent.create({
      data: { id: "agt_checkcachesecond0000", organizationId: dave.orgId, name: "second line" },
    });
    await warm(b, dave, second.id, "+14155552672");
    await prisma.$executeRaw`INSERT INTO entries (org_id, agent_id, value) VALUES (${dave.orgId}, ${second.id}, '+14155552672')`;
    await expect.poll(() => check(b, dave.apiKey, second.id, "+14155552672"), SEEN).toBe(true);
  });
});
