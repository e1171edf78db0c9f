/**
 * A small static file server for the browser tests. The same files are served on two origins:
 * one cross-origin isolated (COOP + COEP on every response, so the page and its workers get
 * SharedArrayBuffer) and one that is not (no headers), to check the errors weft gives there.
 */
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/**
 * Serves `root` (and the generated `pages`, path → html) on 127.0.0.1, with the isolation
 * headers when `isolated`. Resolves { url, close }.
 */
export function serve({ root, pages = {}, isolated }) {
  const server = createServer((request, response) => {
    const headers = { "Cache-Control": "no-store", ...(isolated ? ISOLATION_HEADERS : {}) };
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    if (pages[path] !== undefined) {
      response.writeHead(200, { ...headers, "Content-Type": TYPES[".html"] });
      response.end(pages[path]);
      return;
    }
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      response.writeHead(403, headers).end("forbidden");
      return;
    }
    let stat;
    try {
      stat = statSync(file);
    } catch {
      response.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end(`not found: ${path}`);
      return;
    }
    if (!stat.isFile()) {
      response.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end(`not a file: ${path}`);
      return;
    }
    response.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": stat.size });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}
