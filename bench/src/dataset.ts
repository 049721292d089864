// The benchmark's data: how much of it, and which number and agent each seeded row gets. The same rules exist
// twice, once here in TypeScript and once as SQL for generate_series (seed.ts); dataset.test.ts holds them equal.

export interface DatasetSize {
  /** Blocked numbers in the whole table. */
  numbers: number;
  agents: number;
  /** Numbers of the one big agent (the "100,000-number list"). */
  bigList: number;
  /** Numbers of the agent whose list the list benchmark reads. */
  mediumList: number;
  /** Agents per organization; every organization has one user of its own besides the benchmark's user. */
  agentsPerOrganization: number;
  /** Numbers in one bulk POST. */
  postBatch: number;
  /** `limit` of the paged read of the big list. */
  pageSize: number;
  /** The lists of the `check` scenario on entries (entriesDataset.ts), in two organizations of their own. */
  entries: EntriesSize;
}

export interface EntriesSize {
  /** The checked agent's number blocks. */
  agentNumbers: number;
  /** Its number allows: numbers that a prefix of its organization blocks. */
  agentAllows: number;
  agentPrefixes: number;
  /** Its organization's number blocks: some outbound only (do not call), some both ways, some expiring. */
  orgNumbers: number;
  /** Prefix blocks of the organization: two country-wide (+1900, +4470), the rest within area codes. */
  orgPrefixes: number;
  /** Number allows of the organization, inside its own prefix blocks. Besides these, one withheld block. */
  orgAllows: number;
}

/** 10,000 numbers and 1,000 prefixes on the agent, 100,000 entries on its organization. */
export const FULL_ENTRIES: EntriesSize = {
  agentNumbers: 9_900,
  agentAllows: 100,
  agentPrefixes: 1_000,
  orgNumbers: 90_000,
  orgPrefixes: 8_000,
  orgAllows: 1_999,
};

export const QUICK_ENTRIES: EntriesSize = {
  agentNumbers: 990,
  agentAllows: 10,
  agentPrefixes: 100,
  orgNumbers: 9_000,
  orgPrefixes: 800,
  orgAllows: 199,
};

export const FULL_DATASET: DatasetSize = {
  numbers: 1_000_000,
  agents: 10_000,
  bigList: 100_000,
  mediumList: 1_000,
  agentsPerOrganization: 10,
  postBatch: 10_000,
  pageSize: 10_000,
  entries: FULL_ENTRIES,
};

export const QUICK_DATASET: DatasetSize = {
  numbers: 20_000,
  agents: 200,
  bigList: 5_000,
  mediumList: 1_000,
  agentsPerOrganization: 10,
  postBatch: 10_000,
  pageSize: 1_000,
  entries: QUICK_ENTRIES,
};

// Real US area codes: with an exchange from 200 to 999 every number below is valid by libphonenumber's `max`
// metadata, as the contract demands of anything stored.
export const AREA_CODES = [
  201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229,
  231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304,
  305, 307, 308, 309, 310, 312, 313, 314,
] as const;
// Local part 200-0000 … 999-9999: 8,000,000 numbers per area code.
const FIRST_LOCAL = 2_000_000;
const LOCALS_PER_AREA_CODE = 8_000_000;
/** Number indexes below this are distinct numbers; seeded rows use 0 … numbers-1. */
export const NUMBER_SPACE = AREA_CODES.length * LOCALS_PER_AREA_CODE;

/** The E.164 number with index `index`: consecutive indexes walk through the area codes first. */
export function numberAt(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= NUMBER_SPACE) {
    throw new RangeError(`number index ${index} is outside 0…${NUMBER_SPACE - 1}`);
  }
  const areaCode = AREA_CODES[index % AREA_CODES.length];
  return `+1${areaCode}${FIRST_LOCAL + Math.floor(index / AREA_CODES.length)}`;
}

/** numberAt() as a SQL expression of the bigint column or expression `index`. */
export function numberAtSql(index: string): string {
  return `'+1' || (ARRAY[${AREA_CODES.join(",")}])[1 + (${index}) % ${AREA_CODES.length}] || (${FIRST_LOCAL} + (${index}) / ${AREA_CODES.length})::text`;
}

/**
 * Ids of the service's one form (prefix, "_", 20 base62 characters: packages/api/src/ids.ts), which it
 * requires of every id it is sent: "bench" and the index zero-padded to 15 digits.
 */
export const BENCH_ID_DIGITS = 15;
const benchId = (prefix: string, index: number) =>
  `${prefix}_bench${String(index).padStart(BENCH_ID_DIGITS, "0")}`;
export const agentId = (index: number) => benchId("agt", index);
export const organizationId = (index: number) => benchId("org", index);
export const userId = (index: number) => benchId("usr", index);
/** The user whose key drives every request: a member of every organization. */
export const BENCH_USER_ID = "usr_benchdriver000000000";

export const BIG_AGENT = 0;
export const MEDIUM_AGENT = 1;
/** The agent bulk POSTs go to: an ordinary agent with a short list. */
export const POST_AGENT = 2;

/**
 * The agent of seeded row `row`: the big list's rows first, then the medium list's, then the rest spread over
 * the other agents. (Rows are inserted in a shuffled order, so every list's rows are spread over the table.)
 */
export function agentOfRow(row: number, size: DatasetSize): number {
  if (row < size.bigList) return BIG_AGENT;
  if (row < size.bigList + size.mediumList) return MEDIUM_AGENT;
  return 2 + ((row - size.bigList - size.mediumList) % (size.agents - 2));
}

/** How many seeded rows agentOfRow() gives `agent`: the entries of its list. */
export function listSizeOf(agent: number, size: DatasetSize): number {
  if (agent === BIG_AGENT) return size.bigList;
  if (agent === MEDIUM_AGENT) return size.mediumList;
  const rest = size.numbers - size.bigList - size.mediumList;
  const others = size.agents - 2;
  return Math.floor(rest / others) + (agent - 2 < rest % others ? 1 : 0);
}

/** agentOfRow() as SQL of the column `row`. */
export function agentOfRowSql(row: string, size: DatasetSize): string {
  const small = size.bigList + size.mediumList;
  return `CASE WHEN ${row} < ${size.bigList} THEN ${BIG_AGENT} WHEN ${row} < ${small} THEN ${MEDIUM_AGENT} ELSE 2 + (${row} - ${small}) % ${size.agents - 2} END`;
}

/**
 * Number indexes of numbers that are on no list: bulk POST batch `batch` uses its own range, so that each run
 * adds numbers that are new; `unblockedNumber` gives numbers for `check` to miss.
 */
export function postBatchNumbers(batch: number, size: DatasetSize): string[] {
  const start = size.numbers + 1_000_000 + batch * size.postBatch;
  return Array.from({ length: size.postBatch }, (_, i) => formatForHumans(numberAt(start + i)));
}

export function unblockedNumber(index: number, size: DatasetSize): string {
  return numberAt(size.numbers + 500_000 + index);
}

/** `+12015550123` → `+1 201-555-0123`, the way people paste numbers into a bulk add. */
function formatForHumans(e164: string): string {
  return `+1 ${e164.slice(2, 5)}-${e164.slice(5, 8)}-${e164.slice(8)}`;
}

export function assertValidSize(size: DatasetSize): void {
  if (size.agents < 3 || size.bigList + size.mediumList + (size.agents - 2) > size.numbers) {
    throw new Error("dataset: every agent needs at least one number");
  }
}
