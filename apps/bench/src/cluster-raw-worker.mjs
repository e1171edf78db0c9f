// The raw BullMQ side of the cluster benchmark: a Worker whose processor does nothing, in its own
// process, as a user of BullMQ alone would run it. Arguments: <redis port> <queue> <concurrency>.
import { Worker } from "bullmq";

const [port, queue, concurrency] = process.argv.slice(2);
const worker = new Worker(queue, async (job) => job.data.i, { connection: { host: "127.0.0.1", port: Number(port), maxRetriesPerRequest: null }, concurrency: Number(concurrency) });
worker.on("error", () => undefined);
await worker.waitUntilReady();
console.log("ready");
process.on("SIGTERM", async () => {
  await worker.close();
  process.exit(0);
});
