import { describe, expect, it } from "vitest";
import { cookieIsSecure } from "./session";

describe("cookieIsSecure", () => {
  const https = "https://blocklist.example.com";
  const http = "http://blocklist.internal:3000";

  it.each([
    // PUBLIC_URL alone decides, whatever a proxy or a client says.
    [{ publicUrl: https, trustProxy: false }, null, true],
    [{ publicUrl: https, trustProxy: false }, "http", true],
    [{ publicUrl: https, trustProxy: true }, "http", true],
    [{ publicUrl: http, trustProxy: false }, "https", false],
    [{ publicUrl: http, trustProxy: true }, "https", false],
    // Without it, X-Forwarded-Proto counts only behind a trusted proxy: its own value is the last one.
    [{ publicUrl: undefined, trustProxy: true }, "https", true],
    [{ publicUrl: undefined, trustProxy: true }, " HTTPS ", true],
    [{ publicUrl: undefined, trustProxy: true }, "http, https", true],
    [{ publicUrl: undefined, trustProxy: true }, "https, http", false],
    [{ publicUrl: undefined, trustProxy: true }, "http", false],
    [{ publicUrl: undefined, trustProxy: true }, null, false],
    // Neither set: this server speaks plain HTTP, and a client's header is not believed.
    [{ publicUrl: undefined, trustProxy: false }, "https", false],
    [{ publicUrl: undefined, trustProxy: false }, null, false],
  ])("with %o and X-Forwarded-Proto %j: %s", (settings, forwardedProto, secure) => {
    expect(cookieIsSecure(settings, forwardedProto)).toBe(secure);
  });
});
