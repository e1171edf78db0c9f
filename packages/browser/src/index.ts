/**
 * @weft/browser — weft in the browser. Importing it installs the browser adapter, so `Pool`,
 * `Thread` and `Process` run on module Web Workers: threads share memory when the page is
 * cross-origin isolated; processes are Web Workers that never share memory (a browser cannot
 * fork). See the README for the headers to send and the bundler notes.
 */
import { installAdapter } from "@weft/core/adapter";
import { browserAdapter } from "./adapter.js";

installAdapter(browserAdapter);

export * from "@weft/core";
export { browserAdapter as adapter };
