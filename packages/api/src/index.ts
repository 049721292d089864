export { type AgentAccess, authorizeAgentAccess } from "./access";
export { type AgentSummary, createAgent, deleteAgent, listAgents, type NewAgent } from "./admin/agents";
export {
  type ApiKeySummary,
  createApiKey,
  listApiKeys,
  type NewApiKey,
  revokeApiKey,
  setApiKeyRateLimit,
} from "./admin/keys";
export {
  addOrganizationMember,
  createOrganization,
  listAllOrganizations,
  type OrganizationSummary,
  removeOrganizationMember,
} from "./admin/organizations";
export {
  type CreatedUser,
  createUser,
  type DeletedUser,
  deleteUser,
  listUsers,
  type UserSummary,
} from "./admin/users";
export {
  type AdmissionServices,
  type AdmittedCaller,
  API_KEY_HEADER,
  admitCaller,
  admitSession,
  chargeNumbers,
} from "./admitCaller";
export { authenticateApiKey, type Caller } from "./auth";
export {
  addBlockedNumbers,
  type BlockListPage,
  type BlockListPageRequest,
  listBlockedNumbers,
  removeBlockedNumbers,
} from "./blockList";
export { streamWholeBlockList } from "./blockListStream";
export { type CursorScope, decodeCursor, encodeCursor, MAX_CURSOR_POSITION } from "./cursor";
export { cursorKeyOf, loadCursorKey } from "./cursorKey";
export { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from "./databaseUnavailable";
export * from "./entries";
export {
  AuthenticationError,
  BodyTooLargeError,
  ConflictError,
  CrossSiteRequestError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  type RequestIssue,
  UnsupportedMediaTypeError,
} from "./errors";
export { type ErrorAnswer, errorAnswerOf } from "./errorTable";
export { type IdPrefix, isWellFormedId } from "./ids";
export { generateApiKey, hashApiKey } from "./keys";
export { listOrganizations } from "./organizations";
