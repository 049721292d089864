// Requests that Node's HTTP parser refuses before any handler sees them: a request head (request line, query
// included, plus headers) over Node's 16 KiB limit, or bytes that are not HTTP. Node would answer a bare 431 or
// 400 with no body; this answers JSON like every other error of the service, with the security headers.
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { ErrorMessage } from "@blocklist/core";
import { SECURITY_HEADERS } from "./securityHeaders";

export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // The client is gone, or an answer is already on its way: nothing useful can be written.
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const body = JSON.stringify({
    error: status === 431 ? ErrorMessage.headersTooLarge : ErrorMessage.malformedRequest,
  });
  const headers = {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(body)),
    Connection: "close",
    ...SECURITY_HEADERS,
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join("")}\r\n${body}`);
}
