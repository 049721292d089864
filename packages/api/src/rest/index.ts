export { parseBody, parseQuery } from "./parse";
