-- History (issue 14, docs/DECISIONS.md "History"): one row per change of an entry (created, updated, removed,
-- expired), written by the very statement that makes the change (a data-modifying CTE, packages/db/src/history.ts),
-- so that a change never commits without its event nor an event without its change. No trigger and no session
-- setting: who made the change is a value of the statement, which works the same behind PgBouncer.

-- `evt_` + 20 base62 characters, made as blocklist_new_entry_id() makes `ent_` ids.
CREATE FUNCTION blocklist_new_event_id() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'evt_' || left(translate(encode(substr(sha256(uuid_send(gen_random_uuid())), 1, 30), 'base64'), '+/', ''), 20)
$$;

-- CreateTable
CREATE TABLE "entry_events" (
    "seq" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL DEFAULT blocklist_new_event_id(),
    "org_id" TEXT NOT NULL,
    "agent_id" TEXT,
    "entry_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "entry" JSONB NOT NULL,
    "by_user_id" TEXT,
    "by_key_prefix" TEXT,
    "via" TEXT,

    CONSTRAINT "entry_events_pkey" PRIMARY KEY ("seq"),
    CONSTRAINT "entry_events_type_check" CHECK ("type" IN ('created', 'updated', 'removed', 'expired')),
    CONSTRAINT "entry_events_via_check" CHECK ("via" IN ('rest', 'trpc', 'ui', 'cli')),
    -- An expiry is nobody's doing.
    CONSTRAINT "entry_events_expired_by_check" CHECK ("type" <> 'expired' OR ("by_user_id" IS NULL AND "via" IS NULL))
);

-- CreateIndex
CREATE UNIQUE INDEX "entry_events_id_key" ON "entry_events"("id");

-- Each list's history newest first (an agent's; the organization's own list), and the purge's old rows.
-- CreateIndex
CREATE INDEX "entry_events_agent_id_seq_idx" ON "entry_events"("agent_id", "seq");
CREATE INDEX "entry_events_org_id_seq_idx" ON "entry_events"("org_id", "seq") WHERE "agent_id" IS NULL;
-- CreateIndex
CREATE INDEX "entry_events_at_idx" ON "entry_events"("at");

-- No foreign keys to organizations and agents: their per-row checks (two RI triggers for every event) took a third
-- of a 10,000-entry create. Every event is written by the statement that changes an entry of that list, whose own
-- foreign keys hold; and when an agent or an organization is deleted, its events go with it here, once per
-- statement (a cascaded delete of agents fires these too). Read Committed: the DELETE's snapshot is taken after
-- the cascade waited for any change in flight on the list's entries, so that change's events are seen and go too.
CREATE FUNCTION blocklist_delete_agent_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM entry_events WHERE agent_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;

CREATE FUNCTION blocklist_delete_organization_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM entry_events WHERE agent_id IS NULL AND org_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;

CREATE TRIGGER agents_delete_events AFTER DELETE ON "agents"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION blocklist_delete_agent_events();

CREATE TRIGGER organizations_delete_events AFTER DELETE ON "organizations"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION blocklist_delete_organization_events();
