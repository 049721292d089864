import { format, stripVTControlCharacters } from "node:util";
import { pino } from "pino";
import pretty from "pino-pretty";

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** pino's levels plus `silent`. */
  level: string;
  /** `auto`: pretty when `destination` is a terminal, JSON lines otherwise. */
  format: "auto" | "json" | "pretty";
  /** Default: standard output. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

// Never logged whatever a caller passes in: the key headers, cookies and anything named like a key.
const REDACTED_PATHS = [
  "apiKey",
  "*.apiKey",
  "headers.authorization",
  'headers["x-authorization"]',
  "headers.cookie",
  "*.headers.authorization",
  '*.headers["x-authorization"]',
  "*.headers.cookie",
];

/** The process logger: JSON lines (one object a line) for machines, pino-pretty for a person at a terminal. */
export function createLogger({ level, format, destination = process.stdout }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "blocklist", pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"info" rather than 30, so that the lines read without a table.
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.errWithCause },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  const usePretty = format === "pretty" || (format === "auto" && destination.isTTY === true);
  if (usePretty) {
    // In-process and synchronous: no worker thread, nothing lost when the process exits.
    const prettyStream = pretty({
      colorize: destination.isTTY === true,
      ignore: "service",
      sync: true,
      destination,
    });
    return pino(options, prettyStream);
  }
  // Standard output through pino's own synchronous writer: a line is out before the next request starts.
  return pino(
    options,
    destination === process.stdout ? pino.destination({ dest: 1, sync: true }) : destination,
  );
}

type ConsoleLevel = "debug" | "info" | "warn" | "error";

/**
 * Sends console output (Next.js prints its own start-up notes and errors there) through `logger`, so that
 * standard output stays one JSON object a line. An Error argument goes to `err`, with its cause.
 */
export function routeConsoleToLogger(logger: Logger): void {
  const forward =
    (level: ConsoleLevel) =>
    (...args: unknown[]): void => {
      const error = args.find((arg) => arg instanceof Error);
      const rest = args.filter((arg) => arg !== error);
      const text = stripVTControlCharacters(format(...rest)).trim();
      const message = text || (error instanceof Error ? error.message : "");
      logger[level]({ source: "console", ...(error ? { err: error } : {}) }, message);
    };
  console.debug = forward("debug");
  console.log = forward("info");
  console.info = forward("info");
  console.warn = forward("warn");
  console.error = forward("error");
}
