import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorMessage } from "@blocklist/core";
import getAbsoluteFSPath from "swagger-ui-dist/absolute-path.js";
import { OPENAPI_PATH } from "./page";

// Everything /docs loads comes from this server: Swagger UI's own files out of the swagger-ui-dist package,
// and the few lines that start it. No CDN, so the page works offline.

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

// Maps, not object literals: a requested name such as `__proto__` or `toString` must find nothing.
const SWAGGER_UI_FILES = new Map<string, string>([
  ["swagger-ui.css", CSS],
  ["swagger-ui-bundle.js", JS],
  ["favicon-32x32.png", "image/png"],
]);

const START_SWAGGER_UI = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
  // Swagger UI would otherwise ask validator.swagger.io for a badge, and read a spec URL from the query.
  validatorUrl: null,
  queryConfigEnabled: false,
});
`;

const PAGE_CSS = `body { margin: 0; }
.docs-bar { display: flex; gap: 1.5rem; align-items: center; padding: 0.75rem 1.25rem; background: #1f2933;
  font-family: system-ui, sans-serif; font-size: 0.9rem; }
.docs-bar a { color: #e4e7eb; text-decoration: none; }
.docs-bar a:hover { text-decoration: underline; }
.docs-bar strong { color: #fff; margin-right: auto; }
`;

const OWN_FILES = new Map<string, { contentType: string; body: string }>([
  ["docs.js", { contentType: JS, body: START_SWAGGER_UI }],
  ["docs.css", { contentType: CSS, body: PAGE_CSS }],
]);

const swaggerUiFiles = new Map<string, Promise<Buffer>>();

function readSwaggerUiFile(name: string): Promise<Buffer> {
  let file = swaggerUiFiles.get(name);
  if (!file) {
    file = readFile(join(getAbsoluteFSPath(), name));
    swaggerUiFiles.set(name, file);
  }
  return file;
}

/** One file of the docs page, or a JSON 404 for any name that is not one of them. */
export async function docsAssetResponse(name: string): Promise<Response> {
  const headers = { "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff" };
  const own = OWN_FILES.get(name);
  if (own) return new Response(own.body, { headers: { ...headers, "Content-Type": own.contentType } });
  const contentType = SWAGGER_UI_FILES.get(name);
  if (!contentType) return Response.json({ error: ErrorMessage.notFound }, { status: 404 });
  const body = new Uint8Array(await readSwaggerUiFile(name));
  return new Response(body, { headers: { ...headers, "Content-Type": contentType } });
}
