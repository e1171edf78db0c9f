// The toolchains a user brings, beyond the READMEs' own consumer projects: each is one function
// ({ root, tarballs, ... }) that installs a fresh project with the toolchain at the versions under
// test and checks the documented recipe end to end (a build alone is not enough: the result runs).
import { bunCompileChecks } from "./bun-compile.mjs";
import { denoNpmChecks } from "./deno-npm.mjs";
import { nodeTypescriptChecks } from "./node-typescript.mjs";
import { proveItChecks } from "./prove-it.mjs";
import { rollupChecks } from "./rollup.mjs";
import { typescriptChecks } from "./typescript.mjs";
import { viteChecks } from "./vite.mjs";
import { webpackChecks } from "./webpack.mjs";

export const toolchains = {
  typescript: typescriptChecks,
  "node-typescript": nodeTypescriptChecks,
  webpack: webpackChecks,
  rollup: rollupChecks,
  "vite-majors": viteChecks,
  "bun-compile": bunCompileChecks,
  "deno-npm": denoNpmChecks,
  "prove-it": proveItChecks,
};
