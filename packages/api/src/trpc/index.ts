export {
  createTrpcContext,
  DEFAULT_WEB_SESSIONS,
  type ResponseHeaders,
  type TrpcContext,
  trpcContextOf,
  type WebSessionOptions,
} from "./context";
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from "./root";
export type { SessionUser } from "./routers/session";
export { SESSION_COOKIE } from "./session";
