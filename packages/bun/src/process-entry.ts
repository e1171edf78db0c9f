import { Worker } from "node:worker_threads";
import { serveIpcChild, type ToWorker } from "@weft/core/adapter";
import { decodeMessage, encodeMessage } from "./wire.js";

serveIpcChild(process, {
  adapterName: "@weft/bun",
  encode: encodeMessage,
  decode: (message) => decodeMessage(message) as ToWorker,
  Worker,
});
