-- A key's own rate-limit budget (issue 11 §3): cost units per window. NULL follows RATE_LIMIT_REQUESTS, 0 means
-- unlimited (as RATE_LIMIT_REQUESTS=0 does for every key), any other value is the key's budget.

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "rate_limit" INTEGER;

ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_rate_limit_check" CHECK ("rate_limit" IS NULL OR "rate_limit" >= 0);

-- Each instance holds verified keys, their budget included, in its check cache: a change of the budget must
-- reach every instance like a revocation does, so the key trigger of the change_notifications migration now
-- compares rate_limit too (the rest of the function is unchanged).
CREATE OR REPLACE FUNCTION blocklist_notify_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE hashes text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(encode(hash, 'hex')) INTO hashes FROM old_rows;
  ELSE
    SELECT array_agg(DISTINCT encode(changed.hash, 'hex')) INTO hashes
    FROM old_rows o JOIN new_rows n ON n.id = o.id,
      LATERAL (VALUES (o.hash), (n.hash)) AS changed(hash)
    WHERE (o.id, o.hash, o.user_id, o.read_only, o.revoked_at, o.rate_limit)
      IS DISTINCT FROM (n.id, n.hash, n.user_id, n.read_only, n.revoked_at, n.rate_limit);
  END IF;
  IF hashes IS NOT NULL THEN
    PERFORM blocklist_notify('keys', '{}'::jsonb, 'hashes', hashes);
  END IF;
  RETURN NULL;
END
$$;
