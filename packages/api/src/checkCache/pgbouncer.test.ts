// The check cache behind a real PgBouncer in transaction mode: this instance's client and `elsewhere` (another
// instance, the CLI) go through PgBouncer. With the listening connection on PostgreSQL directly, changes made
// elsewhere are acted on within the stated second; with it through PgBouncer too (DATABASE_DIRECT_URL unset),
// where every notification is dropped, the instance says so and answers from the database instead of memory.
import { createPrismaClient } from "@blocklist/db";
import { pgBouncerForFile, testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { revokeApiKey } from "../admin/keys";
import { authenticateApiKey } from "../auth";
import { addBlockedNumbers, removeBlockedNumbers } from "../blockList";
import { checkCaller } from "../entries";
import { AuthenticationError } from "../errors";
import type { ProcessLogger } from "../observability/context";
import { createMetrics } from "../observability/metrics";
import { createTenant, type Tenant } from "../testing/fixtures";
import { askWithinTrustWindow } from "../testing/trustWindow";
import { type RunningCheckCache, startCheckCache } from "./index";

const database = await testDatabaseForFile();
const pgBouncer = await pgBouncerForFile(database.url);
const pooledUrl = pgBouncer.pooled(database.url);
const db = createPrismaClient(pooledUrl);
const elsewhere = createPrismaClient(pooledUrl);
afterAll(async () => {
  await Promise.all([db.$disconnect(), elsewhere.$disconnect()]);
});

let running: RunningCheckCache | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** What the cache logged: level and message. */
function capturingLogger(): { logger: ProcessLogger; lines: string[] } {
  const lines: string[] = [];
  const note = (level: string) => (_fields: object, message: string) => lines.push(`${level}: ${message}`);
  return { lines, logger: { error: note("error"), warn: note("warn"), info: note("info") } };
}

/** The gauge a scrape of the server shows for the running cache. */
async function trustedGauge(): Promise<number | undefined> {
  const metrics = createMetrics(running ? { checkCache: running.cache } : {});
  const metric = metrics.registry.getSingleMetric("blocklist_check_cache_trusted");
  return (await metric?.get())?.values[0]?.value;
}

const NUMBER = "+14155552671";
const check = (tenant: Tenant) =>
  checkCaller(db, tenant.caller, { uid: tenant.uid, agentId: tenant.agentId, number: NUMBER }).then(
    ({ blocked, e164 }) => ({ blocked, e164 }),
  );
const mutation = (tenant: Tenant) => ({ uid: tenant.uid, agentId: tenant.agentId, numbers: [NUMBER] });
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => "allowed",
    (error: unknown) => error,
  );

describe("the check cache behind PgBouncer in transaction mode", () => {
  it("with the listening connection direct, acts on a removal and a revocation elsewhere within the trust window", async () => {
    const { logger } = capturingLogger();
    running = startCheckCache({ db, directUrl: database.url, maxNumbers: 1_000_000, logger });
    const { cache } = running;
    await expect.poll(() => cache.trusted).toBe(true);
    await expect.poll(trustedGauge).toBe(1);

    const alice = await createTenant(elsewhere, "alice");
    const { keyId } = await authenticateApiKey(db, alice.apiKey);
    await addBlockedNumbers(elsewhere, alice.caller, mutation(alice));
    // Answered from memory from now on: the key, the access and the agent's numbers are held (asked again until
    // they are: a load that ends while a heartbeat is late is not stored).
    await expect
      .poll(async () => {
        await authenticateApiKey(db, alice.apiKey);
        expect(await check(alice)).toEqual({ blocked: true, e164: NUMBER });
        return cache.stats();
      })
      .toEqual({ keys: 1, accessPairs: 1, lists: 2, entries: 2 });

    await removeBlockedNumbers(elsewhere, alice.caller, mutation(alice));
    const removed = await askWithinTrustWindow(
      performance.now(),
      () => check(alice),
      (answer) => !answer.blocked,
    );
    expect(removed).toEqual({ blocked: false, e164: NUMBER });

    await revokeApiKey(elsewhere, keyId);
    const refused = await askWithinTrustWindow(
      performance.now(),
      () => refusal(authenticateApiKey(db, alice.apiKey)),
      (answer) => answer instanceof AuthenticationError,
    );
    expect(refused).toBeInstanceOf(AuthenticationError);
  });

  it("with the listening connection through PgBouncer, warns and answers from the database", async () => {
    const { logger, lines } = capturingLogger();
    running = startCheckCache({ db, directUrl: pooledUrl, maxNumbers: 1_000_000, logger });
    const { cache } = running;
    await expect
      .poll(() => lines)
      .toEqual([expect.stringMatching(/^warn: Check cache off: heartbeat notifications .* do not arrive/)]);
    expect(cache.trusted).toBe(false);
    expect(await trustedGauge()).toBe(0);

    // Every answer is the database's at once, however recent the change elsewhere.
    const bob = await createTenant(elsewhere, "bob");
    expect(await check(bob)).toEqual({ blocked: false, e164: NUMBER });
    await addBlockedNumbers(elsewhere, bob.caller, mutation(bob));
    expect(await check(bob)).toEqual({ blocked: true, e164: NUMBER });
    await removeBlockedNumbers(elsewhere, bob.caller, mutation(bob));
    expect(await check(bob)).toEqual({ blocked: false, e164: NUMBER });
    const { keyId } = await authenticateApiKey(db, bob.apiKey);
    await revokeApiKey(elsewhere, keyId);
    expect(await refusal(authenticateApiKey(db, bob.apiKey))).toBeInstanceOf(AuthenticationError);
    expect(cache.stats()).toEqual({ keys: 0, accessPairs: 0, lists: 0, entries: 0 });
    // Said once, not once per heartbeat.
    expect(lines).toHaveLength(1);
  });
});
