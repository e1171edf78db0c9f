/**
 * Notices that the process that started this one has gone. A launcher that does not pass
 * signals on (`npx weft-cluster worker` runs the node under `sh -c`, and a SIGTERM to npx ends
 * npx and the shell but not the node) leaves the node orphaned; the node is then re-parented (to
 * init or a subreaper), which shows as a change of its parent pid.
 */

/** How often the parent pid is checked (ms). */
const CHECK_EVERY_MS = 1000;

/**
 * Calls `onOrphaned(formerParentPid)` once, when this process's parent pid changes. A process
 * started by init itself (parent pid 0 or 1, as in a container) has no parent to lose, and is not
 * watched. Returns a function that stops watching. The check does not keep the process alive.
 */
export function watchParent(onOrphaned: (formerParentPid: number) => void, everyMs = CHECK_EVERY_MS): () => void {
  const proc = globalThis.process;
  const original = proc?.ppid;
  if (typeof original !== "number" || original <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (proc.ppid === original) return;
    clearInterval(timer);
    onOrphaned(original);
  }, everyMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
