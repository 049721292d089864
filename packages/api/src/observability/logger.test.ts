import { Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { createLogger, type LoggerOptions } from "./logger";

function capture(
  format: LoggerOptions["format"],
  isTTY: boolean,
): { text: () => string; log: ReturnType<typeof createLogger> } {
  let text = "";
  const destination = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { text: () => text, log: createLogger({ level: "info", format, destination }) };
}

describe("createLogger", () => {
  it("writes one JSON object a line when the output is not a terminal", () => {
    const { text, log } = capture("auto", false);
    log.info({ requestId: "r1" }, "hello");
    expect(JSON.parse(text())).toMatchObject({
      level: "info",
      service: "blocklist",
      requestId: "r1",
      msg: "hello",
    });
  });

  it("writes for people when the output is a terminal, or when asked to", () => {
    for (const [format, isTTY] of [
      ["auto", true],
      ["pretty", false],
    ] as const) {
      const { text, log } = capture(format, isTTY);
      log.info({ requestId: "r1" }, "hello");
      // Colours only on a terminal.
      expect(stripVTControlCharacters(text()) !== text()).toBe(isTTY);
      expect(stripVTControlCharacters(text())).toMatch(/INFO \(\d+\): hello\n {4}requestId: "r1"\n/);
    }
  });

  it("redacts key headers and anything named apiKey, even if a caller passes them", () => {
    const { text, log } = capture("json", false);
    log.info(
      {
        apiKey: "bl_secret",
        headers: { authorization: "Bearer t0ken", "x-authorization": "bl_x", cookie: "c=1" },
      },
      "oops",
    );
    expect(text()).not.toMatch(/bl_secret|t0ken|bl_x|c=1/);
  });

  it("logs an error with its cause", () => {
    const { text, log } = capture("json", false);
    log.error({ err: new Error("outer", { cause: new Error("inner") }) }, "failed");
    expect(JSON.parse(text()).err).toMatchObject({ message: "outer", cause: { message: "inner" } });
  });
});
