import { Worker } from "node:worker_threads";
import { serveIpcChild } from "@weft/core/adapter";

serveIpcChild(process, { adapterName: "@weft/node", Worker });
