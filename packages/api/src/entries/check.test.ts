// checkCaller without the check cache (the database path: candidateEntries, then decide) against PostgreSQL:
// every precedence rule of SPEC-ENTRIES "The decision", directions, withheld callers and expiry.
import { blockListCheckQuerySchema, type CheckDirection, type Entry } from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";
import { PermissionError } from "../errors";
import { createTenant, type Tenant } from "../testing/fixtures";
import { checkCaller } from "./check";
import { created } from "./testKit";

const { prisma: db } = await testDatabaseForFile();

interface Lists {
  tenant: Tenant;
  /** Entries of the agent's own list, then of its organization's, as created. */
  agent: Entry[];
  org: Entry[];
}

/** A new customer whose agent holds `agent` and whose organization holds `org`. */
async function lists(agent: Record<string, unknown>[], org: Record<string, unknown>[] = []): Promise<Lists> {
  const tenant = await createTenant(db, "checks");
  return {
    tenant,
    agent: agent.length ? await created(db, tenant, { agentId: tenant.agentId }, agent) : [],
    org: org.length ? await created(db, tenant, { orgId: tenant.orgId }, org) : [],
  };
}

function check({ tenant }: Lists, number: string | undefined, direction?: CheckDirection) {
  return checkCaller(db, tenant.readOnlyCaller, {
    uid: tenant.uid,
    agentId: tenant.agentId,
    number,
    ...(direction ? { direction } : {}),
  });
}

/** The answer when `entry` decides for the caller `e164`. */
function decidedBy(entry: Entry | undefined, e164: string | null) {
  if (!entry) throw new Error("no such entry");
  const { id, orgId, agentId, match, value, action, direction, reason, note } = entry;
  return {
    blocked: action === "block",
    e164,
    entry: { id, orgId, agentId, match, value, action, direction, reason, note },
  };
}

const CALLER = "+14155552671";
const none = (e164: string | null) => ({ blocked: false, e164, entry: null });

describe("the decision, from the database", () => {
  it("lets a number decide before a prefix, even the organization's number before the agent's prefix", async () => {
    const setup = await lists(
      [{ match: "prefix", value: "+1415" }],
      [{ match: "number", value: CALLER, action: "allow" }],
    );
    expect(await check(setup, "+1 (415) 555-2671")).toEqual(decidedBy(setup.org[0], CALLER));
    expect(await check(setup, "+14155552672")).toEqual(decidedBy(setup.agent[0], "+14155552672"));
  });

  it("lets the longest prefix decide, whichever list holds it", async () => {
    const setup = await lists(
      [{ match: "prefix", value: "+1415" }],
      [{ match: "prefix", value: "+141555", action: "allow", reason: "other", note: "partner" }],
    );
    expect(await check(setup, CALLER)).toEqual(decidedBy(setup.org[0], CALLER));
    expect(await check(setup, "+14156660000")).toEqual(decidedBy(setup.agent[0], "+14156660000"));
    expect(await check(setup, "+442079460958")).toEqual(none("+442079460958"));
  });

  it("puts the agent's own list before the organization's at the same match", async () => {
    const setup = await lists(
      [
        { match: "number", value: CALLER, action: "allow" },
        { match: "prefix", value: "+1212" },
      ],
      [
        { match: "number", value: CALLER, reason: "spam" },
        { match: "prefix", value: "+1212", action: "allow" },
      ],
    );
    expect(await check(setup, CALLER)).toEqual(decidedBy(setup.agent[0], CALLER));
    expect(await check(setup, "+12125550100")).toEqual(decidedBy(setup.agent[1], "+12125550100"));
  });

  it("puts allow before block in the same list and match", async () => {
    const setup = await lists(
      [],
      [
        { match: "number", value: CALLER },
        { match: "number", value: CALLER, action: "allow" },
      ],
    );
    expect(await check(setup, CALLER)).toEqual(decidedBy(setup.org[1], CALLER));
  });

  it("matches withheld callers only with withheld and any entries", async () => {
    const setup = await lists([
      { match: "withheld", reason: "abuse" },
      { match: "prefix", value: "+1415" },
    ]);
    for (const hidden of [
      undefined,
      "",
      "Anonymous",
      "RESTRICTED",
      "+266 696 687",
      "not a number",
      "+1234567890",
    ]) {
      expect(await check(setup, hidden), String(hidden)).toEqual(decidedBy(setup.agent[0], null));
    }
    expect(await check(setup, "+12125550100")).toEqual(none("+12125550100"));
  });

  it("makes an allow-only list of an any block with allow entries", async () => {
    const setup = await lists(
      [{ match: "number", value: CALLER, action: "allow" }],
      [{ match: "any" }, { match: "withheld", action: "allow" }],
    );
    expect(await check(setup, CALLER)).toEqual(decidedBy(setup.agent[0], CALLER));
    expect(await check(setup, "+12125550100")).toEqual(decidedBy(setup.org[0], "+12125550100"));
    expect(await check(setup, "private")).toEqual(decidedBy(setup.org[1], null));
  });

  it("asks the direction: inbound by default, outbound entries for outbound checks, both for either", async () => {
    const setup = await lists([
      { match: "number", value: CALLER },
      { match: "number", value: "+14155550100", reason: "do_not_call" },
      { match: "prefix", value: "+1900", direction: "both" },
    ]);
    const [inbound, outbound, both] = setup.agent;
    expect(await check(setup, CALLER)).toEqual(decidedBy(inbound, CALLER));
    expect(await check(setup, CALLER, "inbound")).toEqual(decidedBy(inbound, CALLER));
    expect(await check(setup, CALLER, "outbound")).toEqual(none(CALLER));
    expect(await check(setup, "+14155550100")).toEqual(none("+14155550100"));
    expect(await check(setup, "+14155550100", "outbound")).toEqual(decidedBy(outbound, "+14155550100"));
    for (const direction of ["inbound", "outbound"] as const) {
      expect(await check(setup, "+19005550100", direction)).toEqual(decidedBy(both, "+19005550100"));
    }
  });

  it("never lets an expired entry decide, and stops at the expiry without the sweeper", async () => {
    const setup = await lists([], [{ match: "prefix", value: "+1415" }]);
    const { orgId, agentId } = setup.tenant;
    await db.$executeRaw`INSERT INTO entries (org_id, agent_id, match, value, action, expires_at) VALUES
      (${orgId}, ${agentId}, 'number', ${CALLER}, 'allow', now() - interval '1 millisecond'),
      (${orgId}, NULL, 'any', NULL, 'block', now() - interval '1 hour')`;
    expect(await check(setup, CALLER)).toEqual(decidedBy(setup.org[0], CALLER));
    expect(await check(setup, "+12125550100")).toEqual(none("+12125550100"));

    await db.$executeRaw`INSERT INTO entries (org_id, agent_id, match, value, expires_at)
      VALUES (${orgId}, ${agentId}, 'number', '+12125550100', now() + interval '2 seconds')`;
    const [soon] = await db.$queryRaw<{ id: string }[]>`SELECT id FROM entries WHERE value = '+12125550100'`;
    const blocked = await check(setup, "+12125550100");
    expect(blocked).toMatchObject({ blocked: true, entry: { id: soon?.id } });
    await expect.poll(() => check(setup, "+12125550100"), { interval: 100 }).toEqual(none("+12125550100"));
    expect(await db.entry.findUniqueOrThrow({ where: { id: soon?.id ?? "" } })).toMatchObject({
      expired: false,
    });
  });

  it("takes a withheld caller when the REST query has no number, and refuses other customers' agents", async () => {
    const setup = await lists([{ match: "withheld" }]);
    const { tenant } = setup;
    for (const query of [{}, { number: "" }]) {
      const parsed = blockListCheckQuerySchema.parse({ uid: tenant.uid, agentId: tenant.agentId, ...query });
      expect(await checkCaller(db, tenant.caller, parsed)).toEqual(decidedBy(setup.agent[0], null));
    }
    const other = await createTenant(db, "other");
    await expect(
      checkCaller(db, tenant.caller, { uid: tenant.uid, agentId: other.agentId, number: CALLER }),
    ).rejects.toEqual(new PermissionError());
  });
});
