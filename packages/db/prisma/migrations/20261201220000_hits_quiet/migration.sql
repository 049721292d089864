-- The hit flush (packages/db/src/entryHits.ts, every second on every instance) changes only `hits` and
-- `last_hit_at`. The entries notify trigger already sent nothing for such an update, but it still ran and
-- compared every row written as jsonb, old against new, on every flush. Now it does not fire for the flush at all:
-- the flush's statement marks its own transaction with `blocklist.entries_change` = `hits` (set_config, local to
-- that transaction, so nothing is left on the session: PgBouncer in transaction mode is fine). A statement-level
-- trigger with transition tables cannot name columns (UPDATE OF …), hence the mark. Any other update is compared
-- as before, and one that changes only the counts still notifies nothing.
DROP TRIGGER entries_notify_update ON entries;
CREATE TRIGGER entries_notify_update AFTER UPDATE ON entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT
  WHEN (current_setting('blocklist.entries_change', true) IS DISTINCT FROM 'hits')
  EXECUTE FUNCTION blocklist_notify_entries_changed();
