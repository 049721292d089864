export * from "./caller";
export * from "./decide";
export * from "./expiry";
export * from "./fields";
export * from "./note";
export * from "./plan";
export * from "./prefix";
