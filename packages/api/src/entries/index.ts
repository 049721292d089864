export {
  type CreateEntriesResponse,
  createEntries,
  type RemoveEntriesResponse,
  removeEntries,
  storePlannedEntries,
  updateEntry,
} from "./change";
export { type CheckRequest, checkCaller } from "./check";
export { type EntriesCsv, EXPORT_PAGE_SIZE, exportEntries } from "./csvExport";
export {
  type CsvImportHooks,
  type CsvImportProgress,
  type CsvImportRequest,
  importEntries,
} from "./csvImport";
export {
  EXPIRY_SWEEP_INTERVAL_MS,
  type ExpirySweeper,
  type ExpirySweeperOptions,
  startExpirySweeper,
} from "./expirySweeper";
export { type HistoryPage, listHistory } from "./history";
export {
  HISTORY_PURGE_INTERVAL_MS,
  type HistoryPurger,
  type HistoryPurgerOptions,
  startHistoryPurger,
} from "./historyPurger";
export {
  HITS_FLUSH_MS,
  HitCounter,
  type HitCounterOptions,
  hitCounterFor,
  MAX_PENDING_ENTRIES,
  type RunningHitCounter,
  type StartHitCounterOptions,
  startHitCounter,
} from "./hitCounter";
export { type EntriesPage, entryFiltersOf, listEntries } from "./list";
