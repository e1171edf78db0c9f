/**
 * The main module a Deno worker starts from (a thread's Web Worker, a process's `deno run`): the
 * adapter's entry, plus what it must know before it runs.
 */

/** Where the bootstrap leaves the {@link FramesSocket} for the process entry (see frame-socket.ts). */
export const FRAMES_SOCKET_KEY = "weft.deno.framesSocket";

/** Where a process worker's parent listens for its frames, and the parent's pid (its ppid may already be another's when it starts). */
export interface FramesSocket {
  readonly path: string;
  readonly parent: number;
}

/**
 * The worker's main module: the adapter's entry, plus the task module named in a dynamic import
 * that is never called. Deno loads a worker's whole module graph up front, with the parent's
 * rights, including statically written dynamic imports; so the task module and what it imports
 * are loaded without giving the worker any read permission, while a module that fails to load
 * still fails only when the entry imports it (each task rejects with TaskModuleLoadError).
 *
 * `framesSocket` (process workers) is left on globalThis for the entry, which is imported after
 * it: a query on the entry's URL would be lost, as Deno drops it from `import.meta.url` for a
 * module under node_modules.
 *
 * `npmPackage` (an entry in Deno's npm cache, no node_modules folder): Deno resolves the entry's
 * own imports (@weft/core) only once its package was loaded through that `npm:` specifier, so it
 * is imported first, and the entry by a URL Deno does not load up front.
 */
export function bootstrapModule(entry: URL, module: string | undefined, framesSocket?: FramesSocket, npmPackage?: string): string {
  const handOver = framesSocket === undefined ? "" : `globalThis[Symbol.for(${JSON.stringify(FRAMES_SOCKET_KEY)})] = ${JSON.stringify(framesSocket)};\n`;
  let source =
    npmPackage !== undefined
      ? `${handOver}await import(${JSON.stringify(npmPackage)});\nconst entry = ${JSON.stringify(entry.href)};\nawait import(entry);\n`
      : framesSocket === undefined
        ? `import ${JSON.stringify(entry.href)};\n`
        : `${handOver}await import(${JSON.stringify(entry.href)});\n`;
  let target: URL | undefined;
  try {
    target = module === undefined ? undefined : new URL(module);
  } catch {
    // Not an absolute URL: the worker resolves it itself, with its own permissions.
  }
  if (target) source += `export const preload = () => import(${JSON.stringify(target.href)});\n`;
  return `data:text/javascript;base64,${btoa(source)}`;
}
