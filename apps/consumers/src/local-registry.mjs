// A registry on the loopback that serves the packed tarballs, and nothing else, the way the npm
// registry would once they are published: a packument per package, the tarball with its integrity.
// Deno's `npm:` specifiers (no node_modules folder) resolve through it, offline.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { basename } from "node:path";

/** The packument of one tarball: the manifest as packed, with its dist entry. */
function packument(tarball, manifest, base) {
  const bytes = readFileSync(tarball.tarball);
  const dist = {
    tarball: `${base}-/${basename(tarball.tarball)}`,
    shasum: createHash("sha1").update(bytes).digest("hex"),
    integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
  };
  return { name: tarball.name, "dist-tags": { latest: tarball.version }, versions: { [tarball.version]: { ...manifest, dist } } };
}

/**
 * Serves `tarballs` ([{ name, version, tarball }]) with their installed manifests (`manifestOf(name)`)
 * on a free port; returns { url, stop, misses } (misses: the names asked for that it does not serve).
 */
export async function serveRegistry(tarballs, manifestOf) {
  const misses = [];
  let base = "";
  const byName = new Map();
  const files = new Map(tarballs.map((t) => [basename(t.tarball), t.tarball]));
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname).slice(1);
    if (path.startsWith("-/") && files.has(path.slice(2))) {
      response.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(files.get(path.slice(2))));
      return;
    }
    const tarball = tarballs.find((t) => t.name === path);
    if (!tarball) {
      misses.push(path);
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    if (!byName.has(path)) byName.set(path, JSON.stringify(packument(tarball, manifestOf(path), base)));
    response.writeHead(200, { "content-type": "application/json" }).end(byName.get(path));
  });
  await new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  base = `http://127.0.0.1:${server.address().port}/`;
  return { url: base, misses: () => [...new Set(misses)], stop: () => new Promise((resolve) => server.close(resolve)) };
}
