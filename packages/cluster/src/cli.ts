#!/usr/bin/env node
/**
 * weft-cluster: `weft-cluster worker --module ./tasks.js --redis redis://127.0.0.1:6379 --kind process --size 4`
 * starts a worker node. SIGTERM or SIGINT, or the end of the process that started it (npx does
 * not pass SIGTERM on), shuts it down gracefully: running jobs get the grace to finish.
 */
import { hostname } from "node:os";
import { USAGE, UsageError, parseWorkerArgs } from "./cli-args.js";
import { watchParent } from "./parent-watch.js";
import { startClusterWorker } from "./worker.js";

/** Beyond the grace, how long a stopping node may take before it exits anyway (ms): the close itself is bounded to a few seconds past the grace. */
const EXIT_MARGIN_MS = 10_000;

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === undefined) {
    console.log(USAGE);
    return;
  }
  if (command !== "worker") throw new UsageError(`unknown command ${JSON.stringify(command)}.`);
  const options = parseWorkerArgs(rest, process.env);
  const node = await startClusterWorker(options);
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`weft-cluster worker ${node.name}: ${why}, finishing running jobs`);
    const grace = options.closeGrace ?? 30_000;
    setTimeout(() => {
      console.error(`weft-cluster worker ${node.name}: not stopped ${grace + EXIT_MARGIN_MS} ms after ${why}; exiting`);
      process.exit(1);
    }, grace + EXIT_MARGIN_MS);
    void node.close();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  watchParent((parent) => stop(`its parent process ${parent} exited (a launcher such as npx that does not pass signals on)`));
  console.log(`weft-cluster worker ${hostname()}:${process.pid} ready: queue ${options.queue ?? "weft"}, modules ${node.modules.join(", ")}, ${options.kind ?? "thread"} × ${options.size ?? "cpu count"}`);
  await node.closed;
  console.log(`weft-cluster worker ${node.name}: stopped after ${node.finished} jobs`);
  process.exit(0);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`weft-cluster: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`weft-cluster: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exit(1);
});
