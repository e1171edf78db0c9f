/**
 * Serves the built browser page (dist/web) on loopback, cross-origin isolated: every response
 * carries COOP + COEP, which is what gives a page (and its workers) SharedArrayBuffer.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, serve } from "./http.js";
import { DemoError } from "./runtime.js";

export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".map": "application/json",
};

export const WEB_ROOT = fileURLToPath(new URL("./web/", import.meta.url));

export async function serveWeb(port: number): Promise<RunningServer> {
  try {
    await stat(join(WEB_ROOT, "index.html"));
  } catch {
    throw new DemoError(`the browser page is not built (${join(WEB_ROOT, "index.html")} is missing): run npm run build in apps/demo.`, 1);
  }
  const root = normalize(WEB_ROOT);
  return serve(async (request) => {
    let path = decodeURIComponent(new URL(request.url).pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(root, path));
    const headers = { ...ISOLATION_HEADERS, "Cache-Control": "no-store" };
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return new Response("forbidden", { status: 403, headers });
    try {
      const body = await readFile(file);
      return new Response(new Uint8Array(body), { headers: { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" } });
    } catch {
      return new Response(`not found: ${path}`, { status: 404, headers });
    }
  }, port);
}
