// What the running app needs: the Prisma client and its types. Starting, migrating and locating the database
// live in "@blocklist/db/lifecycle", so that Next.js route bundles never pull them in.
export {
  type BlockedNumberRows,
  type BlockedNumberSelection,
  blockedNumberBatches,
  countBlockedNumbers,
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
  createPrismaClient,
  type DatabasePoolStats,
  type PoolOptions,
  poolOf,
  poolStatsOf,
} from "./client";
export type {
  Agent,
  ApiKey,
  BlockedNumber,
  Membership,
  Organization,
  User,
} from "./generated/prisma/client";
export { Prisma, PrismaClient } from "./generated/prisma/client";
export { appliedMigrationNames } from "./readiness";
