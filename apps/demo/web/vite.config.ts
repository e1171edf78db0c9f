import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// SharedArrayBuffer needs a cross-origin isolated page: the same two headers for `vite` and
// `vite preview` (the demo's own server, `weft-demo browser`, sends them too).
const headers = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  server: { headers },
  preview: { headers },
  // Keep weft out of dependency pre-bundling, which would break its `new Worker(new URL(…, import.meta.url))` entries in `vite` dev.
  optimizeDeps: { exclude: ["weftjs", "@weft/browser"] },
  worker: { format: "es" },
  build: {
    target: "es2022",
    outDir: fileURLToPath(new URL("../dist/web/", import.meta.url)),
    emptyOutDir: true,
    // The task module must stay a file that workers import by URL, never an inlined data: URL.
    assetsInlineLimit: 0,
  },
});
