// A client that the test kills (SIGKILL) mid-map, to see what becomes of its queued jobs.
// Arguments: <redis url> <queue> <marks dir> <jobs> <leaseDuration ms>. Each job is a 500 ms
// slowMark with id "doomed-<i>".
import { ClusterPool } from "../../dist/index.js";

const [redis, queue, marks, jobs, leaseDuration] = process.argv.slice(2);
const pool = new ClusterPool({ redis, module: "node", queue, leaseDuration: Number(leaseDuration) });
await pool.starmap("slowMark", Array.from({ length: Number(jobs) }, (_, i) => [500, marks, `doomed-${i}`]), { chunksize: 1 });
