export { createTrpcContext, type ResponseHeaders, type TrpcContext, trpcContextOf } from "./context";
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from "./root";
export type { SessionUser } from "./routers/session";
export { SESSION_COOKIE } from "./session";
