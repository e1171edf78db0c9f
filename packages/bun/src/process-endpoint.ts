import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import type { Endpoint, ExitInfo, StartOptions } from "@weftjs/core";

const ENTRY = fileURLToPath(new URL("./process-entry.js", import.meta.url));
/** How long a process may take to honour SIGTERM before it is killed. */
const KILL_AFTER_MS = 2000;

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

function signalName(signal: string | number | null): string | null {
  if (signal === null || typeof signal === "string") return signal;
  return SIGNAL_NAMES.get(signal) ?? `SIG${signal}`;
}

/**
 * A `bun` child started with Bun.spawn and an IPC channel in "advanced" serialization (JSC's
 * structured clone), so values keep their structured-clone semantics across processes.
 */
export function startProcess(options: StartOptions): Endpoint {
  // Bun has no per-process heap limit flag (see the adapter's capabilities); maxHeapMb is ignored.
  const flags = options.runtimeOptions?.smol === true ? ["--smol"] : [];
  let messageHandler: ((message: unknown) => void) | undefined;
  const early: unknown[] = [];
  let exitHandler: ((info: ExitInfo) => void) | undefined;
  let exitInfo: ExitInfo | undefined;
  let resolveExited!: () => void;
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));
  const child = Bun.spawn({
    cmd: [process.execPath, ...flags, ENTRY],
    env: options.env ? { ...process.env, ...options.env } : process.env,
    stdio: ["ignore", "inherit", "inherit"],
    serialization: "advanced",
    ipc: (message) => (messageHandler ? messageHandler(message) : early.push(message)),
    // Bun delivers every IPC message the child sent before onExit runs (measured); the child's
    // entry also waits for its last sends to be written before it exits.
    onExit: (_subprocess, code, signal, error) => {
      exitInfo = { code: signal === null ? code : null, signal: signalName(signal), error };
      exitHandler?.(exitInfo);
      resolveExited();
    },
  });
  return {
    pid: child.pid,
    send: (message) => {
      if (exitInfo || child.killed) throw new Error("The worker process has exited.");
      child.send(message);
    },
    onMessage: (handler) => {
      messageHandler = handler;
      for (const message of early.splice(0)) handler(message);
    },
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
    // Unref'ing the subprocess also releases its IPC channel in Bun (measured).
    setKeepAlive: (keepAlive) => (keepAlive ? child.ref() : child.unref()),
  };
}
