// A client that the test stops (SIGSTOP) while the nodes finish its jobs, so that it falls behind
// the queue's events stream. Arguments: <redis url> <queue> <jobs> <reconcileInterval ms>.
// Prints READY, then SUBMITTED, then one SETTLED line with what it got.
import { ClusterPool } from "../../dist/index.js";

const [redis, queue, jobs, reconcileInterval] = process.argv.slice(2);
const pool = new ClusterPool({ redis, module: "fixtures", queue, reconcileInterval: Number(reconcileInterval) });
await pool.ready();
console.log("READY");
const items = Array.from({ length: Number(jobs) }, (_, i) => i);
const futures = items.map((i) => pool.apply("double", [i]));
console.log("SUBMITTED");
const results = await Promise.allSettled(futures);
const wrong = results.filter((r, i) => r.status !== "fulfilled" || r.value !== 2 * i).length;
console.log(`SETTLED ${results.length} wrong=${wrong}`);
await pool.close();
process.exit(0);
