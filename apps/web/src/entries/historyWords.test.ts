import { describe, expect, it } from "vitest";
import { EVENT_LABELS, eventAuthorText } from "./historyWords";

describe("a list's history in words", () => {
  it("names each kind of event", () => {
    expect(EVENT_LABELS).toEqual({
      created: "Created",
      updated: "Changed",
      removed: "Removed",
      expired: "Expired",
    });
  });

  it("says which key acted through which interface, and that an expiry is no one's", () => {
    expect([
      eventAuthorText({ keyPrefix: "bl_4jVx", via: "ui" }),
      eventAuthorText({ keyPrefix: "bl_4jVx", via: "rest" }),
      eventAuthorText({ keyPrefix: "bl_9aZq", via: "trpc" }),
      eventAuthorText({ keyPrefix: "bl_9aZq", via: "cli" }),
      eventAuthorText(null),
    ]).toEqual([
      { who: "bl_4jVx…", through: "Web UI" },
      { who: "bl_4jVx…", through: "REST API" },
      { who: "bl_9aZq…", through: "tRPC" },
      { who: "bl_9aZq…", through: "CLI" },
      { who: "No one", through: "Expired" },
    ]);
  });
});
