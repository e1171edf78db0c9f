import { fork } from "node:child_process";
import { type Endpoint, type StartOptions, createEndpoint } from "@weft/core/adapter";
import { requireEntryFile } from "./entry-file.js";

const ENTRY = new URL("./process-entry.js", import.meta.url);

/** Flags of this process that describe how it was started, not how code runs: never forwarded. */
const NOT_FORWARDED = /^(--input-type|--test|--watch|--interactive$|-i$|--check$|-c$)/;
const TAKES_SCRIPT = new Set(["-e", "--eval", "-p", "--print"]);

/**
 * The parent's execArgv as a worker should get it: loaders, conditions, type stripping, source
 * maps and inspector flags stay; an inline script (`-e`, `-p`) and runner modes do not.
 */
export function forwardedExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (TAKES_SCRIPT.has(flag)) {
      i++;
      continue;
    }
    if (/^(--eval|--print)=/.test(flag) || NOT_FORWARDED.test(flag)) continue;
    kept.push(flag);
  }
  return kept;
}

/**
 * A child process forked with advanced (structured-clone) serialization over IPC. It gets the
 * parent's execArgv by default, as Node's own fork does: loaders (tsx, --import), type stripping
 * and source maps reach the worker that imports the task module.
 */
export function startProcess(options: StartOptions): Endpoint {
  const maxHeapMb = options.resourceLimits?.maxHeapMb;
  const execArgv = [...(options.execArgv ?? forwardedExecArgv(process.execArgv)), ...(maxHeapMb ? [`--max-old-space-size=${maxHeapMb}`] : [])];
  requireEntryFile(ENTRY);
  const child = fork(ENTRY, [], {
    serialization: "advanced",
    env: options.env ? { ...process.env, ...options.env } : process.env,
    execArgv,
    stdio: ["ignore", "inherit", options.stderr ?? "inherit", "ipc"],
  });
  const channel = () => (child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
  const control = createEndpoint({
    pid: child.pid,
    send: (message) => {
      if (!child.connected) throw new Error("The worker process has disconnected.");
      child.send(message as never);
    },
    stop: () => void child.kill("SIGTERM"),
    kill: () => void child.kill("SIGKILL"),
    setKeepAlive: (keepAlive) => {
      if (keepAlive) {
        child.ref();
        channel()?.ref();
      } else {
        child.unref();
        channel()?.unref();
      }
    },
  });
  child.on("message", control.deliver);
  // Node emits "exit" after the last "message" of the child: the contract's order holds.
  child.on("exit", (code, signal) => control.exited({ code, signal }));
  // A send racing the child's death reports here; the exit settles what it held.
  child.on("error", () => undefined);
  return control.endpoint;
}
