-- The published POST of 10,000 numbers writes 10,000 `created` events in the same statement (issue 12,
-- docs/BENCHMARKS.md "What the events cost"). Two costs of each event row that buy nothing:

-- No event is ever looked up by its id (pages go by list and seq, the purge by `at`), and an id is 20 random
-- base62 characters: a unique index only cost a random insert into a large index for every event.
DROP INDEX "entry_events_id_key";

-- The id from one uuid's bytes, base64 with `+` and `/` written as `A` and `B`: still `evt_` + 20 base62
-- characters (22 are made, so there are always 20), ~113 random bits (a uuid v4 fixes 6 of the 120 bits the 20
-- characters carry), without the SHA-256 of each. A function made anew: what it returns for new rows changes,
-- existing ids stay as they are.
CREATE OR REPLACE FUNCTION blocklist_new_event_id() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'evt_' || left(translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/', 'AB'), 20)
$$;
