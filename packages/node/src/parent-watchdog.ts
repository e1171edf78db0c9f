/**
 * A worker thread inside each worker process that ends the process once its parent is gone. It
 * runs on its own event loop, so it acts even while the process's main thread is busy in a task
 * (the IPC "disconnect" event needs the main thread's loop, which a CPU-bound task never yields).
 * The parent is gone when this process has been handed to another parent (its ppid changed).
 */
import { workerData } from "node:worker_threads";

const { parent, everyMs } = workerData as { parent: number; everyMs: number };
setInterval(() => {
  // SIGKILL: nobody is left to receive a result, and a task's own SIGTERM handler must not keep it alive.
  if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
}, everyMs);
