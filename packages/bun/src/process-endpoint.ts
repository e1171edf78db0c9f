import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { type Endpoint, type EndpointControl, type StartOptions, createEndpoint } from "@weft/core/adapter";
import { COMPILED_PROCESS_REFUSAL, isCompiledExecutableUrl } from "./entry-file.js";
import { decodeMessage, encodeMessage } from "./wire.js";

const ENTRY = fileURLToPath(new URL("./process-entry.js", import.meta.url));
const COMPILED = isCompiledExecutableUrl(import.meta.url);

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

function signalName(signal: string | number | null): string | null {
  if (signal === null || typeof signal === "string") return signal;
  return SIGNAL_NAMES.get(signal) ?? `SIG${signal}`;
}

/**
 * A `bun` child started with Bun.spawn and an IPC channel in "advanced" serialization (JSC's
 * structured clone), so values keep their structured-clone semantics across processes; messages
 * are serialized before they are handed to IPC (see wire.ts).
 */
export function startProcess(options: StartOptions): Endpoint {
  if (COMPILED) throw new Error(COMPILED_PROCESS_REFUSAL);
  // Bun has no per-process heap limit flag (see the adapter's capabilities); maxHeapMb is ignored.
  const flags = options.runtimeOptions?.smol === true ? ["--smol"] : [];
  // Bun.spawn may call back before it returns: the control exists first, the child is bound to it after.
  let child: ReturnType<typeof Bun.spawn> | undefined;
  const control: EndpointControl = createEndpoint({
    send: (message) => {
      if (!child || child.killed) throw new Error("The worker process has exited.");
      child.send(encodeMessage(message));
    },
    stop: () => child?.kill("SIGTERM"),
    kill: () => child?.kill("SIGKILL"),
    // Unref'ing the subprocess also releases its IPC channel in Bun (measured).
    setKeepAlive: (keepAlive) => (keepAlive ? child?.ref() : child?.unref()),
  });
  child = Bun.spawn({
    cmd: [process.execPath, ...flags, ENTRY],
    env: options.env ? { ...process.env, ...options.env } : process.env,
    stdio: ["ignore", "inherit", options.stderr ?? "inherit"],
    serialization: "advanced",
    ipc: (message) => control.deliver(decodeMessage(message)),
    // Bun delivers every IPC message the child sent before onExit runs (measured); the child's
    // entry also waits for its last sends to be written before it exits.
    onExit: (_subprocess, code, signal, error) => control.exited({ code: signal === null ? code : null, signal: signalName(signal), error }),
  });
  // The pid is known only now that the child exists.
  return Object.defineProperty(control.endpoint, "pid", { value: child.pid, enumerable: true });
}
