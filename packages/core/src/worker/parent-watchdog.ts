/**
 * The watchdog of a process worker, one module for every runtime: a thread of the worker's own
 * that ends the process once its parent is gone (the process was handed to another parent: its
 * ppid changed). It runs on its own event loop, so it acts even while a task keeps the main
 * thread busy, when neither an IPC "disconnect" nor the end of stdin can be seen.
 */

/** How often a watchdog looks for the parent: a child outlives a killed host by at most this. */
export const PARENT_CHECK_MS = 200;

/**
 * The watchdog's module as a data: URL, for the runtime's own Worker (node:worker_threads' on
 * Node and Bun, the Web Worker on Deno). It imports nothing, so it needs no file beside the
 * adapter's and no read permission (Deno), and it reads the runtime's process from its global
 * (`Deno`, else `process`; both spell pid, ppid and kill alike). A process may signal itself
 * without any permission; Deno.exit in a worker would only end the worker. SIGKILL: nobody is
 * left to receive a result, and a task's own SIGTERM handler must not keep the process alive.
 */
export function parentWatchdogUrl(parent: number, everyMs = PARENT_CHECK_MS): URL {
  const source =
    "const runtime = globalThis.Deno ?? globalThis.process;\n" +
    `setInterval(() => { if (runtime.ppid !== ${parent}) runtime.kill(runtime.pid, "SIGKILL"); }, ${everyMs});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}
