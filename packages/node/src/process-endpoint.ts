import { fork } from "node:child_process";
import type { Endpoint, ExitInfo, StartOptions } from "@weftjs/core";

const ENTRY = new URL("./process-entry.js", import.meta.url);
/** How long a process may take to honour SIGTERM before it is killed. */
const KILL_AFTER_MS = 2000;

/** A child process forked with advanced (structured-clone) serialization over IPC. */
export function startProcess(options: StartOptions): Endpoint {
  const maxHeapMb = options.resourceLimits?.maxHeapMb;
  const child = fork(ENTRY, [], {
    serialization: "advanced",
    env: options.env ? { ...process.env, ...options.env } : process.env,
    execArgv: maxHeapMb ? [`--max-old-space-size=${maxHeapMb}`] : [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let exitHandler: ((info: ExitInfo) => void) | undefined;
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exitInfo = { code, signal };
      exitHandler?.(exitInfo);
      resolve();
    });
  });
  // A send racing the child's death reports here; the exit handler settles what it held.
  child.on("error", () => undefined);
  return {
    pid: child.pid,
    send: (message) => {
      if (!child.connected) throw new Error("The worker process has disconnected.");
      child.send(message as never);
    },
    onMessage: (handler) => void child.on("message", handler),
    onExit: (handler) => {
      exitHandler = handler;
      if (exitInfo) handler(exitInfo);
    },
    terminate: async () => {
      if (exitInfo) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    },
    setKeepAlive: (keepAlive) => {
      const channel = (child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
      if (keepAlive) {
        child.ref();
        channel?.ref();
      } else {
        child.unref();
        channel?.unref();
      }
    },
  };
}
