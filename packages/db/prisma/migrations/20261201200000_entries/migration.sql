-- Entries (issue 13, docs/ENTRIES-PLAN.md "The table `entries`"): every block list becomes a set of entries that
-- match a number, a prefix, a withheld caller or anyone, block or allow, in one direction or both, for an agent's
-- own list or (agent_id NULL) for its organization's. blocked_numbers becomes `entries` without losing or
-- changing a row: seq is the old id (order and cursors), created_at and the key that added it are kept, org_id is
-- the agent's organization, and every row gets a public id.
--
-- One rewrite: the rows are copied once into a new table, whose indexes are built afterwards (faster than an
-- ALTER … ADD COLUMN and an UPDATE of every row, which would write each row twice and maintain every index per
-- row). Writers of blocked_numbers wait for the migration and then fail (the table is gone); readers go on.
LOCK TABLE "blocked_numbers" IN EXCLUSIVE MODE;

-- `ent_` + 20 base62 characters from PostgreSQL's strong random source (as newId makes other ids; no pgcrypto):
-- SHA-256 of one gen_random_uuid() (122 random bits, more than the 119 of 20 base62 characters) gives uniform
-- bytes; their base64 form, less `+` and `/`, is a run of independent, uniform base62 characters. 30 bytes give
-- 40 of them, of which 20 are kept (fewer than 20 left happens with probability below 1e-20). One uuid, not two:
-- drawing it is most of the cost (about 2 µs), and this runs once per row.
CREATE FUNCTION blocklist_new_entry_id() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'ent_' || left(translate(encode(substr(sha256(uuid_send(gen_random_uuid())), 1, 30), 'base64'), '+/', ''), 20)
$$;

-- CreateTable
CREATE TABLE "entries" (
    "seq" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL DEFAULT blocklist_new_entry_id(),
    "org_id" TEXT NOT NULL,
    "agent_id" TEXT,
    "match" TEXT NOT NULL DEFAULT 'number',
    "value" TEXT,
    "action" TEXT NOT NULL DEFAULT 'block',
    "direction" TEXT NOT NULL DEFAULT 'inbound',
    "reason" TEXT,
    "note" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "expired" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_key_id" TEXT,
    "created_via" TEXT,
    "hits" BIGINT NOT NULL DEFAULT 0,
    "last_hit_at" TIMESTAMPTZ(3),

    CONSTRAINT "entries_match_check" CHECK ("match" IN ('number', 'prefix', 'withheld', 'any')),
    CONSTRAINT "entries_value_check" CHECK (("value" IS NOT NULL) = ("match" IN ('number', 'prefix'))),
    CONSTRAINT "entries_action_check" CHECK ("action" IN ('block', 'allow')),
    CONSTRAINT "entries_direction_check" CHECK ("direction" IN ('inbound', 'outbound', 'both')),
    CONSTRAINT "entries_reason_check" CHECK ("reason" IN ('spam', 'abuse', 'fraud', 'do_not_call', 'other')),
    CONSTRAINT "entries_note_check" CHECK (char_length("note") <= 500),
    CONSTRAINT "entries_created_via_check" CHECK ("created_via" IN ('rest', 'trpc', 'ui', 'cli'))
);

-- Every old row: a blocked number of an agent is an inbound block entry of the agent's own list. Its id becomes
-- seq, which keeps the order (no ORDER BY: sorting a million rows cost a second and changes no answer).
INSERT INTO "entries" ("seq", "org_id", "agent_id", "value", "created_at", "created_by_key_id")
SELECT b."id", a."organization_id", b."agent_id", b."e164", b."created_at", b."added_by_key_id"
FROM "blocked_numbers" b JOIN "agents" a ON a."id" = b."agent_id";

-- New entries go on numbering where blocked numbers stopped (the old sequence's own position, not max(id), so
-- that no id of a removed row is ever given again).
SELECT setval(pg_get_serial_sequence('entries', 'seq'), last_value, is_called) FROM "blocked_numbers_id_seq";

-- Its triggers go with the table; the functions they ran go too. The `numbers` notification kind is no more.
DROP TABLE "blocked_numbers";
DROP FUNCTION blocklist_notify_numbers_inserted();
DROP FUNCTION blocklist_notify_numbers_deleted();
DROP FUNCTION blocklist_notify_numbers_updated();

ALTER TABLE "entries" ADD CONSTRAINT "entries_pkey" PRIMARY KEY ("seq");

-- CreateIndex
CREATE UNIQUE INDEX "entries_id_key" ON "entries"("id");

-- Two active entries of one list with the same match, value, action and direction cannot exist; the organization's
-- list (agent_id NULL) and withheld / any entries (value NULL) included, hence NULLS NOT DISTINCT (PostgreSQL 15+).
-- An expired row leaves the index when the expiry is recorded (expired = true), before a create it would block.
CREATE UNIQUE INDEX "entries_active_key" ON "entries"("org_id", "agent_id", "match", "value", "action", "direction")
  NULLS NOT DISTINCT WHERE NOT "expired";

-- Each list in order (lists, pages, cursors), the check's lookups by value, and the sweeper's due rows.
-- CreateIndex
CREATE INDEX "entries_agent_id_seq_idx" ON "entries"("agent_id", "seq");
CREATE INDEX "entries_org_id_seq_idx" ON "entries"("org_id", "seq") WHERE "agent_id" IS NULL;
-- CreateIndex
CREATE INDEX "entries_agent_id_value_idx" ON "entries"("agent_id", "value");
CREATE INDEX "entries_org_id_value_idx" ON "entries"("org_id", "value") WHERE "agent_id" IS NULL;
CREATE INDEX "entries_expires_at_idx" ON "entries"("expires_at") WHERE NOT "expired" AND "expires_at" IS NOT NULL;

-- AddForeignKey
ALTER TABLE "entries" ADD CONSTRAINT "entries_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entries" ADD CONSTRAINT "entries_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entries" ADD CONSTRAINT "entries_created_by_key_id_fkey" FOREIGN KEY ("created_by_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Change notifications (see the change_notifications migration): one per list and statement,
--   {"kind":"entries","orgId":"org_…","agentId":"agt_…"}   (agentId null: the organization's list)
-- on insert, delete, and an update that changes anything but hits / last_hit_at (the hit counts, written in
-- batches, change nothing a cache decides with). A statement over more than 20 lists, or TRUNCATE, sends
-- {"kind":"entries"}: drop every list.
CREATE FUNCTION blocklist_notify_entries_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  org_ids text[];
  agent_ids text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(org_id), array_agg(agent_id) INTO org_ids, agent_ids
    FROM (SELECT DISTINCT org_id, agent_id FROM new_rows) AS lists;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(org_id), array_agg(agent_id) INTO org_ids, agent_ids
    FROM (SELECT DISTINCT org_id, agent_id FROM old_rows) AS lists;
  ELSE
    -- The rows as they were and as they are, without the hit counts: whatever differs names its list (both
    -- lists of a row moved from one list to another).
    SELECT array_agg(org_id), array_agg(agent_id) INTO org_ids, agent_ids
    FROM (
      SELECT DISTINCT changed.entry->>'org_id' AS org_id, changed.entry->>'agent_id' AS agent_id
      FROM (
        (SELECT to_jsonb(o) - '{hits,last_hit_at}'::text[] AS entry FROM old_rows o
         EXCEPT ALL SELECT to_jsonb(n) - '{hits,last_hit_at}'::text[] FROM new_rows n)
        UNION ALL
        (SELECT to_jsonb(n) - '{hits,last_hit_at}'::text[] FROM new_rows n
         EXCEPT ALL SELECT to_jsonb(o) - '{hits,last_hit_at}'::text[] FROM old_rows o)
      ) AS changed
    ) AS lists;
  END IF;
  IF org_ids IS NULL THEN
    RETURN NULL;
  END IF;
  IF cardinality(org_ids) > 20 THEN
    PERFORM blocklist_notify('entries', '{}'::jsonb, NULL, NULL);
    RETURN NULL;
  END IF;
  FOR i IN 1 .. cardinality(org_ids) LOOP
    PERFORM blocklist_notify('entries', jsonb_build_object('orgId', org_ids[i], 'agentId', agent_ids[i]), NULL, NULL);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER entries_notify_insert AFTER INSERT ON entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_entries_changed();
CREATE TRIGGER entries_notify_delete AFTER DELETE ON entries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_entries_changed();
CREATE TRIGGER entries_notify_update AFTER UPDATE ON entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_entries_changed();
CREATE TRIGGER entries_notify_truncate AFTER TRUNCATE ON entries
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_all('entries');
