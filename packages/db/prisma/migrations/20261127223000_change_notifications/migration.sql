-- Change notifications for the per-instance caches of the check path (packages/api/src/checkCache/).
-- Every change to a table those caches read sends a NOTIFY on channel `blocklist_changes` from the same
-- transaction: PostgreSQL delivers it only if the transaction commits, and after it has committed.
-- Triggers are statement-level with transition tables: a bulk add of 10,000 numbers sends one notification
-- per agent, not 10,000. Payloads are compact JSON:
--   {"kind":"numbers","agentId":"agt_…","added":["+1…",…]}   (or "removed"), or no list: drop the set
--   {"kind":"keys","hashes":["<sha-256 hex>",…]}             (no list: drop every cached key)
--   {"kind":"memberships","userIds":["usr_…",…]}             (no list: drop every cached access)
--   {"kind":"agents","agentIds":["agt_…",…]}                 (no list: drop every cached access and set)
-- A kind without any id at all (TRUNCATE) drops everything of that kind. NOTIFY payloads must stay under
-- 8000 bytes: when the list makes it longer, the list is left out and listeners drop instead of patching.

CREATE FUNCTION blocklist_notify(kind text, ids jsonb, list_name text, list text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  head text := '{"kind":' || to_json(kind)::text || coalesce(',' || (SELECT string_agg(to_json(key)::text || ':' || value::text, ',') FROM jsonb_each(ids)), '');
  body text := head;
BEGIN
  IF list_name IS NOT NULL AND list IS NOT NULL THEN
    body := head || ',' || to_json(list_name)::text || ':' || array_to_json(list)::text;
  END IF;
  IF octet_length(body) > 7900 THEN
    body := head;
  END IF;
  PERFORM pg_notify('blocklist_changes', body || '}');
END
$$;

-- blocked_numbers: one notification per agent and statement, carrying the numbers added or removed when
-- they fit: 390 E.164 numbers (16 characters at most, quoted, comma-separated) fit in 7,900 bytes. The
-- numbers of a bigger change are not even gathered. A statement touching more than 20 agents (a bulk load,
-- never the service, which changes one agent at a time) sends one notification that drops every set.
CREATE FUNCTION blocklist_notify_numbers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE change record;
BEGIN
  FOR change IN
    SELECT agent_id, count(*) AS n, count(*) OVER () AS agents FROM new_rows GROUP BY agent_id
  LOOP
    IF change.agents > 20 THEN
      PERFORM blocklist_notify('numbers', '{}'::jsonb, NULL, NULL);
      EXIT;
    END IF;
    PERFORM blocklist_notify('numbers', jsonb_build_object('agentId', change.agent_id), 'added',
      CASE WHEN change.n <= 390 THEN ARRAY(SELECT e164 FROM new_rows WHERE new_rows.agent_id = change.agent_id) END);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION blocklist_notify_numbers_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE change record;
BEGIN
  FOR change IN
    SELECT agent_id, count(*) AS n, count(*) OVER () AS agents FROM old_rows GROUP BY agent_id
  LOOP
    IF change.agents > 20 THEN
      PERFORM blocklist_notify('numbers', '{}'::jsonb, NULL, NULL);
      EXIT;
    END IF;
    PERFORM blocklist_notify('numbers', jsonb_build_object('agentId', change.agent_id), 'removed',
      CASE WHEN change.n <= 390 THEN ARRAY(SELECT e164 FROM old_rows WHERE old_rows.agent_id = change.agent_id) END);
  END LOOP;
  RETURN NULL;
END
$$;

-- The service never moves or rewrites a blocked number. Should anything else do it, every set is dropped.
-- Other updates (added_by_key_id set to NULL when a key is deleted) change nothing a set holds.
CREATE FUNCTION blocklist_notify_numbers_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.agent_id, o.e164) IS DISTINCT FROM (n.agent_id, n.e164)
  ) THEN
    PERFORM blocklist_notify('numbers', '{}'::jsonb, NULL, NULL);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION blocklist_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM blocklist_notify(TG_ARGV[0], '{}'::jsonb, NULL, NULL);
  RETURN NULL;
END
$$;

CREATE TRIGGER blocked_numbers_notify_insert AFTER INSERT ON blocked_numbers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_numbers_inserted();
CREATE TRIGGER blocked_numbers_notify_delete AFTER DELETE ON blocked_numbers
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_numbers_deleted();
CREATE TRIGGER blocked_numbers_notify_update AFTER UPDATE ON blocked_numbers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_numbers_updated();
CREATE TRIGGER blocked_numbers_notify_truncate AFTER TRUNCATE ON blocked_numbers
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_all('numbers');

-- api_keys: revocation, deletion (also by a user's deletion) or any change of what a key may do. New keys need
-- no notification (unknown keys are never cached), and neither does last_used_at.
CREATE FUNCTION blocklist_notify_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE hashes text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(encode(hash, 'hex')) INTO hashes FROM old_rows;
  ELSE
    SELECT array_agg(DISTINCT encode(changed.hash, 'hex')) INTO hashes
    FROM old_rows o JOIN new_rows n ON n.id = o.id,
      LATERAL (VALUES (o.hash), (n.hash)) AS changed(hash)
    WHERE (o.id, o.hash, o.user_id, o.read_only, o.revoked_at)
      IS DISTINCT FROM (n.id, n.hash, n.user_id, n.read_only, n.revoked_at);
  END IF;
  IF hashes IS NOT NULL THEN
    PERFORM blocklist_notify('keys', '{}'::jsonb, 'hashes', hashes);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_notify_update AFTER UPDATE ON api_keys
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_keys_changed();
CREATE TRIGGER api_keys_notify_delete AFTER DELETE ON api_keys
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_keys_changed();
CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_all('keys');

-- memberships: only access that is taken away matters (only granted access is cached).
CREATE FUNCTION blocklist_notify_memberships_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE user_ids text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT user_id) INTO user_ids FROM old_rows;
  ELSE
    SELECT array_agg(DISTINCT o.user_id) INTO user_ids
    FROM old_rows o LEFT JOIN new_rows n ON n.user_id = o.user_id AND n.organization_id = o.organization_id
    WHERE n.user_id IS NULL;
  END IF;
  IF user_ids IS NOT NULL THEN
    PERFORM blocklist_notify('memberships', '{}'::jsonb, 'userIds', user_ids);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER memberships_notify_update AFTER UPDATE ON memberships
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_memberships_changed();
CREATE TRIGGER memberships_notify_delete AFTER DELETE ON memberships
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_memberships_changed();
CREATE TRIGGER memberships_notify_truncate AFTER TRUNCATE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_all('memberships');

-- agents: deleted or moved to another organization (a rename changes nothing cached).
CREATE FUNCTION blocklist_notify_agents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE agent_ids text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(id) INTO agent_ids FROM old_rows;
  ELSE
    SELECT array_agg(o.id) INTO agent_ids
    FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
    WHERE n.id IS NULL OR n.organization_id IS DISTINCT FROM o.organization_id;
  END IF;
  IF agent_ids IS NOT NULL THEN
    PERFORM blocklist_notify('agents', '{}'::jsonb, 'agentIds', agent_ids);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER agents_notify_update AFTER UPDATE ON agents
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_agents_changed();
CREATE TRIGGER agents_notify_delete AFTER DELETE ON agents
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_agents_changed();
CREATE TRIGGER agents_notify_truncate AFTER TRUNCATE ON agents
  FOR EACH STATEMENT EXECUTE FUNCTION blocklist_notify_all('agents');
