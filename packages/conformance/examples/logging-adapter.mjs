/**
 * An example third-party adapter: it wraps the adapter weft ships for the runtime it runs on and
 * logs every message between the host and its workers, one JSON line each, to the file named by
 * WEFT_LOGGING_ADAPTER_FILE (default: a file in the temp folder, named on stderr).
 *
 *   npx weft-conformance --adapter ./node_modules/@weft/conformance/examples/logging-adapter.mjs
 *
 * It shows the whole port an adapter implements: `runtime`, `capabilities`, `cpuCount()` and
 * `start(kind, options)` returning an endpoint (send, onMessage, onExit, terminate, and the
 * optional setKeepAlive and pid). A wrapper must pass each of them through unchanged.
 */
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const { adapter: inner } = await import(`@weft/${runtime}`);

/** A short, always-printable rendering of a message (messages may hold BigInts, buffers, cycles). */
function render(message) {
  try {
    const text = JSON.stringify(message, (_key, value) => (typeof value === "bigint" ? `${value}n` : ArrayBuffer.isView(value) ? `<${value.constructor.name} ${value.byteLength} bytes>` : value));
    return text === undefined ? String(message) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return `<${Object.prototype.toString.call(message)}>`;
  }
}

/** Wraps `adapter` so that `log(entry)` sees every message, both ways, and every exit. */
export function loggingAdapter(adapter, log) {
  let workers = 0;
  return {
    runtime: adapter.runtime,
    capabilities: adapter.capabilities,
    cpuCount: () => adapter.cpuCount(),
    start(kind, options) {
      const worker = ++workers;
      const endpoint = adapter.start(kind, options);
      log({ worker, kind, event: "start", module: options.module });
      return {
        send(message, transfer) {
          log({ worker, kind, event: "→", message: render(message) });
          endpoint.send(message, transfer);
        },
        onMessage(handler) {
          endpoint.onMessage((message) => {
            log({ worker, kind, event: "←", message: render(message) });
            handler(message);
          });
        },
        onExit(handler) {
          endpoint.onExit((info) => {
            log({ worker, kind, event: "exit", code: info.code, signal: info.signal });
            handler(info);
          });
        },
        terminate: () => endpoint.terminate(),
        ...(endpoint.setKeepAlive ? { setKeepAlive: (keepAlive) => endpoint.setKeepAlive(keepAlive) } : {}),
        get pid() {
          return endpoint.pid;
        },
      };
    },
  };
}

const file = process.env.WEFT_LOGGING_ADAPTER_FILE ?? join(tmpdir(), `weft-logging-adapter-${process.pid}.jsonl`);
const out = createWriteStream(file, { flags: "a" });
if (!process.env.WEFT_LOGGING_ADAPTER_FILE) process.stderr.write(`logging-adapter: every message goes to ${file}\n`);

export const adapter = loggingAdapter(inner, (entry) => out.write(`${JSON.stringify({ at: Math.round(performance.now()), ...entry })}\n`));
