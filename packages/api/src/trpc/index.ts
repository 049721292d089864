export { createTrpcContext, type TrpcContext } from "./context";
export { handleTrpcRequest, TRPC_ENDPOINT } from "./handler";
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from "./root";
export type { SessionUser } from "./routers/session";
export { SESSION_COOKIE } from "./session";
