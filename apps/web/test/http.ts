import { expect } from "vitest";

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface CallOptions {
  key?: string;
  /** Sent as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** One HTTP request; asserts the contract's "every answer is JSON" on every single answer. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers["X-Authorization"] = options.key;
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  expect(
    response.headers.get("content-type"),
    `${method} ${path} answered ${response.status} ${text}`,
  ).toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

export function blockListPath(query: Record<string, string>): string {
  return `/api/agent-block-list?${new URLSearchParams(query)}`;
}

/** Signs in through the UI's procedure, as the page does; the `Cookie` header that carries the session after. */
export async function signIn(baseUrl: string, apiKey: string, headers: Record<string, string> = {}) {
  const answer = await call(baseUrl, "POST", "/api/trpc/session.signIn", { body: { apiKey }, headers });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const setCookie = answer.headers.get("set-cookie") ?? "";
  return { cookie: setCookie.split(";")[0] ?? "", setCookie };
}
