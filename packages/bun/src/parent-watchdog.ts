/** The watchdog thread of a process worker: ends the process once its parent is gone (see watchParent). */
import { workerData } from "node:worker_threads";
import { watchParent } from "@weft/core/adapter";

const { parent, everyMs } = workerData as { parent: number; everyMs: number };
watchParent(process, parent, everyMs);
