// `npm test`: first the repository's own checks (no run copied between adapters' src, and the
// checker's self-test), then every package's tests through turbo, one at a time (the conformance
// speedup case needs the cores), with --continue so that one runtime's failure does not hide the
// others' results; then the matrix. Exits non-zero when any check or package failed.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: repo, stdio: "inherit", shell: process.platform === "win32" });
  if (result.error) console.error(`${command}: ${result.error.message}`);
  return result.status ?? 1;
};

const checks = Math.max(run(process.execPath, ["scripts/adapter-copies.mjs", "--self-test"]), run(process.execPath, ["scripts/adapter-copies.mjs"]));
const status = run("npx", ["--no-install", "turbo", "run", "test", "--concurrency=1", "--continue"]);
run(process.execPath, ["scripts/matrix.mjs"]);
if (checks !== 0) console.error("npm test: a repository check failed (scripts/adapter-copies.mjs), see above.");
if (status !== 0) console.error(`npm test: at least one package's tests failed (turbo exited ${status}); every runtime ran, see above.`);
process.exit(status || checks);
