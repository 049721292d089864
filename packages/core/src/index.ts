export * from "./cost";
export * from "./messages";
export * from "./parse";
export * from "./paste";
export * from "./phone";
export * from "./plan";
export * from "./procedures";
export * from "./schemas";
