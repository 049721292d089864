-- The published route's view (inbound and both number blocks of an agent, each number once): two partial indexes
-- so that a page and its count read only that view, and so that a list without any `both` number block (nearly
-- every list: the published POST makes `inbound` ones) is known to need no per-row probe for a twin.

-- A page in seq order and its count, read from the index alone (value, direction and expiry included).
CREATE INDEX "entries_published_view_idx" ON "entries"("agent_id", "seq") INCLUDE ("value", "direction", "expires_at")
  WHERE "match" = 'number' AND "action" = 'block' AND "direction" IN ('inbound', 'both') AND NOT "expired";

-- The agent's `both` number blocks: whether it has any, and a twin's seq, in a tiny index.
CREATE INDEX "entries_both_number_blocks_idx" ON "entries"("agent_id", "value") INCLUDE ("seq", "expires_at")
  WHERE "match" = 'number' AND "action" = 'block' AND "direction" = 'both' AND NOT "expired";
