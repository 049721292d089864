export { type AgentAccess, authorizeAgentAccess } from "./access";
export { createAgent, type NewAgent } from "./admin/agents";
export { type ApiKeySummary, createApiKey, listApiKeys, revokeApiKey } from "./admin/keys";
export { addOrganizationMember, createOrganization } from "./admin/organizations";
export { type CreatedUser, createUser } from "./admin/users";
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
export { type CursorScope, decodeCursor, encodeCursor, MAX_CURSOR_POSITION } from "./cursor";
export { cursorKeyOf, loadCursorKey } from "./cursorKey";
export {
  AuthenticationError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  type RequestIssue,
} from "./errors";
export { type IdPrefix, isWellFormedId } from "./ids";
export { generateApiKey, hashApiKey } from "./keys";
export { listOrganizations } from "./organizations";
