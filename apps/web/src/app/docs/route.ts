import { DOCS_CONTENT_SECURITY_POLICY, DOCS_HTML } from "~/docs/page";

// A whole HTML document of its own (not a React page): Swagger UI owns it, apart from the app's layout.
export async function GET() {
  return new Response(DOCS_HTML, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY,
      "X-Content-Type-Options": "nosniff",
    },
  });
}
