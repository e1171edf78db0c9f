import { defineConfig } from "vite";

// SharedArrayBuffer needs a cross-origin isolated page: the same two headers for `vite` and `vite preview`.
const headers = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  server: { headers },
  preview: { headers },
  build: { target: "es2022" },
});
