/**
 * Where the worker entries are, and what to say when they cannot be reached (as @weft/node's
 * entry-file.ts): in `bun build --compile` executables. Their modules live in Bun's embedded file system, and their
 * `process.execPath` is the executable itself, which runs the app's own entry whatever its
 * arguments: spawning `execPath process-entry.js`, as a process worker does, starts the whole app
 * again, which starts its pool, which spawns again — without end.
 */

/** A module URL inside a compiled executable: `/$bunfs/` (`B:/~BUN/` on Windows). */
const EMBEDDED = /^file:\/\/\/(?:\$bunfs\/|%24bunfs\/|[A-Za-z]:[/\\]~BUN[/\\])/;

export function isCompiledExecutableUrl(url: string): boolean {
  return EMBEDDED.test(url);
}

/** Why a compiled executable cannot start a process worker, and what works instead. */
export const COMPILED_PROCESS_REFUSAL =
  "this program runs from a compiled Bun executable (bun build --compile), whose process.execPath runs the app itself, " +
  "so a process worker would start another copy of the app instead of weft's process entry (and that copy its own workers, without end). " +
  'Use kind: "thread" (build with @weft/bun\'s dist/thread-entry.js and your task modules as extra entry points and ' +
  '--entry-naming "[name].[ext]"), or build with `bun build --target=bun` and run the output with bun: see @weft/bun\'s README.';

/** What a compiled executable's thread worker needs when its entry is not in the executable. */
export const COMPILED_THREAD_HINT =
  "A compiled Bun executable holds only the files it was built from: add @weft/bun's dist/thread-entry.js and your task modules " +
  '(as .js: `new URL("./tasks.js", import.meta.url)`) as extra entry points, with --entry-naming "[name].[ext]" (see @weft/bun\'s README).';
