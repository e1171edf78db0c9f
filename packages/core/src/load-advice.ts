/**
 * What a user does about a task module that failed to load. The runtime's own message says what
 * went wrong in its terms ("Unknown file extension", a failed fetch of a data: URL); the advice
 * here says which toolchain step is missing, for the failures that have one known cause.
 */

/** URLs longer than this are cut in messages: a bundler may inline a whole module as a data: URL. */
const LONGEST_SHOWN_URL = 120;
const SHOWN_URL_HEAD = 80;

/** `url` as a message shows it: whole, or its first characters and its length. */
export function shownUrl(url: string): string {
  return url.length <= LONGEST_SHOWN_URL ? url : `${url.slice(0, SHOWN_URL_HEAD)}… (${url.length} characters)`;
}

const TYPESCRIPT_MODULE = /\.[cm]?tsx?$/;
/** A data: URL a browser, Deno, Bun or Node imports as JavaScript. */
const JAVASCRIPT_DATA_URL = /^data:(?:text|application)\/(?:javascript|ecmascript)[;,]/i;

function errorCode(cause: unknown): unknown {
  return typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
}

/** The fix for a load failure with one known cause, or undefined. */
export function loadAdvice(moduleUrl: string, cause: unknown): string | undefined {
  const path = moduleUrl.split(/[?#]/, 1)[0] ?? moduleUrl;
  if (TYPESCRIPT_MODULE.test(path) && errorCode(cause) === "ERR_UNKNOWN_FILE_EXTENSION") {
    return (
      "This Node cannot load a TypeScript task module as it is. Run the program under tsx (`npx tsx main.ts`; with a thread " +
      "pool on Node 20 use kind: \"process\"), or on Node ≥ 22.18 / ≥ 23.6, whose type stripping loads .ts files " +
      "(22.6–22.17 and 23.0–23.5 need --experimental-strip-types), or compile the task module to .js (tsc) and point `module` at the .js file."
    );
  }
  if (moduleUrl.startsWith("data:") && !JAVASCRIPT_DATA_URL.test(moduleUrl)) {
    const type = /^data:([^;,]*)/.exec(moduleUrl)?.[1] || "text/plain";
    return (
      `The task module reached the worker as a data: URL of type ${type}: a bundler inlined the file as an asset instead of ` +
      "emitting it as a module. With Vite, add @weft/vite to the config's plugins (`plugins: [weft()]`); with another bundler, " +
      "keep the task module a separate .js file that the bundler copies as it is."
    );
  }
  return undefined;
}
