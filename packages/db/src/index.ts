// What the running app needs: the Prisma client and its types. Starting, migrating and locating the database
// live in "@blocklist/db/lifecycle", so that Next.js route bundles never pull them in.
export {
  type BlockedNumberExtras,
  type BlockedNumberRows,
  type BlockedNumberSelection,
  blockedNumberBatches,
  countBlockedNumbers,
  deleteBlockedNumbers,
  insertBlockedNumbers,
  selectBlockedNumbers,
} from "./blockedNumbers";
export {
  CHANGES_CHANNEL,
  type ChangeListener,
  type ChangeListenerEvents,
  type ChangeListenerOptions,
  HEARTBEAT_CHANNEL_PREFIX,
  type HeartbeatSender,
  LISTENER_APPLICATION_NAME,
  startChangeListener,
} from "./changeListener";
export {
  caughtUpReadsOf,
  createPrismaClient,
  type DatabasePoolStats,
  laggingReadsOf,
  type PoolOptions,
  poolOf,
  poolStatsOf,
  replicaStatsOf,
} from "./client";
export {
  countEntries,
  deleteEntries,
  type EntryChanges,
  type EntryCreator,
  type EntryFilters,
  type EntryPage,
  expireDueEntries,
  insertEntries,
  selectEntries,
  updateEntry,
} from "./entries";
export { type EntryCsvPage, selectEntryCsvPage } from "./entryCsvRows";
export { candidateEntries, loadListEntries, prefixesOf } from "./entryDecisions";
export { addEntryHits, type EntryHits } from "./entryHits";
export type {
  Agent,
  ApiKey,
  Entry as EntryRecord,
  Membership,
  Organization,
  User,
} from "./generated/prisma/client";
export { Prisma, PrismaClient } from "./generated/prisma/client";
export { type HistoryPage, PURGE_BATCH_SIZE, purgeHistory, selectHistory } from "./history";
export { appliedMigrationNames } from "./readiness";
export type { ReplicaStats } from "./replica";
