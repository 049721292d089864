// The expiry sweeper against PostgreSQL: it records each expiry once, lets an identical entry be created after,
// and logs (never throws) when the database fails.
import { createPrismaClient } from "@blocklist/db";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it, onTestFinished } from "vitest";
import { createTenant } from "../testing/fixtures";
import { startExpirySweeper } from "./expirySweeper";
import { created } from "./testKit";

const { prisma: db, url } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");

/** A logger that keeps its lines. */
function recording() {
  const lines: { level: string; message: string }[] = [];
  const logger = {
    warn: (_fields: object, message: string) => lines.push({ level: "warn", message }),
    info: (_fields: object, message: string) => lines.push({ level: "info", message }),
  };
  return { lines, logger };
}

describe("startExpirySweeper", () => {
  it("marks entries past their expiry as expired, so that an identical one can be created", async () => {
    const { lines, logger } = recording();
    const sweeper = startExpirySweeper({ db, logger, intervalMs: 50 });
    onTestFinished(() => sweeper.stop());
    await db.$executeRaw`INSERT INTO entries (org_id, agent_id, match, value, expires_at) VALUES
      (${alice.orgId}, ${alice.agentId}, 'number', '+14155552671', now() + interval '1 second'),
      (${alice.orgId}, ${alice.agentId}, 'number', '+14155552672', NULL)`;
    const expired = () =>
      db.entry.findMany({
        where: { agentId: alice.agentId },
        orderBy: { seq: "asc" },
        select: { expired: true },
      });
    await expect.poll(expired, { interval: 50 }).toEqual([{ expired: true }, { expired: false }]);
    const [again] = await created(db, alice, { agentId: alice.agentId }, [
      { match: "number", value: "+14155552671" },
    ]);
    expect(again).toMatchObject({ value: "+14155552671", expiresAt: null });
    expect(lines).toEqual([]);
  });

  it("logs a failing sweep once, keeps trying, and says when it works again", async () => {
    const { lines, logger } = recording();
    const broken = createPrismaClient(url);
    const sweeper = startExpirySweeper({ db: broken, logger, intervalMs: 20 });
    try {
      await broken.$executeRawUnsafe("ALTER TABLE entries RENAME TO entries_away");
      await expect.poll(() => lines.length).toBeGreaterThan(0);
      await broken.$executeRawUnsafe("ALTER TABLE entries_away RENAME TO entries");
      await expect.poll(() => lines.length).toBe(2);
      expect(lines).toEqual([
        { level: "warn", message: "Expired entries cannot be recorded: trying again every 20 ms" },
        { level: "info", message: "Expired entries are recorded again" },
      ]);
    } finally {
      await sweeper.stop();
      await broken.$disconnect();
    }
  });
});
