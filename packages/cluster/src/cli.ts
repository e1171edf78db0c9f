#!/usr/bin/env node
/**
 * weft-cluster: `weft-cluster worker --module ./tasks.js --redis redis://127.0.0.1:6379 --kind process --size 4`
 * starts a worker node; SIGTERM or SIGINT shuts it down gracefully (running jobs finish first).
 */
import { hostname } from "node:os";
import { USAGE, UsageError, parseWorkerArgs } from "./cli-args.js";
import { startClusterWorker } from "./worker.js";

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === undefined) {
    console.log(USAGE);
    return;
  }
  if (command !== "worker") throw new UsageError(`unknown command ${JSON.stringify(command)}.`);
  const options = parseWorkerArgs(rest);
  const node = await startClusterWorker(options);
  const stop = (signal: string) => {
    console.log(`weft-cluster worker ${node.name}: ${signal}, finishing running jobs`);
    void node.close();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
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
