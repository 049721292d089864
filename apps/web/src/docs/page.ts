export const DOCS_PATH = "/docs";
export const OPENAPI_PATH = "/api/openapi.json";
const ASSETS = `${DOCS_PATH}/assets`;

// Same-origin only: the page can load nothing from anywhere else, which is also what keeps it working offline.
// Swagger UI sets inline styles, hence 'unsafe-inline' for styles (never for scripts).
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The API reference: Swagger UI rendering the OpenAPI document of this same server. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Agent block list API reference</title>
    <link rel="icon" type="image/png" href="${ASSETS}/favicon-32x32.png">
    <link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
    <link rel="stylesheet" href="${ASSETS}/docs.css">
  </head>
  <body>
    <nav class="docs-bar">
      <strong>Agent block list API</strong>
      <a href="/">Block lists</a>
      <a href="${OPENAPI_PATH}">OpenAPI document (JSON)</a>
    </nav>
    <noscript><p>The reference needs JavaScript. The same content is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</p></noscript>
    <main id="swagger-ui"></main>
    <script src="${ASSETS}/swagger-ui-bundle.js"></script>
    <script src="${ASSETS}/docs.js"></script>
  </body>
</html>
`;
