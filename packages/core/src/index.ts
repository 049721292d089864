export * from "./messages";
export * from "./parse";
export * from "./phone";
export * from "./plan";
export * from "./schemas";
