export { type AgentAccess, authorizeAgentAccess } from "./access";
export { createAgent, type NewAgent } from "./admin/agents";
export { type ApiKeySummary, createApiKey, listApiKeys, revokeApiKey } from "./admin/keys";
export { addOrganizationMember, createOrganization } from "./admin/organizations";
export { type CreatedUser, createUser } from "./admin/users";
export { API_KEY_HEADER, admitCaller } from "./admitCaller";
export { authenticateApiKey, type Caller } from "./auth";
export {
  addBlockedNumbers,
  type BlockListPage,
  type BlockListPageRequest,
  type CheckRequest,
  checkBlockedNumber,
  listBlockedNumbers,
  removeBlockedNumbers,
} from "./blockList";
export { streamWholeBlockList } from "./blockListStream";
export { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from "./databaseUnavailable";
export {
  AuthenticationError,
  BodyTooLargeError,
  CrossSiteRequestError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  type RequestIssue,
  UnsupportedMediaTypeError,
} from "./errors";
export { type ErrorAnswer, errorAnswerOf } from "./errorTable";
export { generateApiKey, hashApiKey } from "./keys";
export { listOrganizations } from "./organizations";
