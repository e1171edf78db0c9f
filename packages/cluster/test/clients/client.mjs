// A cluster client as a user's program would be: run on Node, Bun or Deno by runtimes.test.ts,
// it prints one JSON line with what it saw. Arguments: <redis url> <queue>.
import { ClusterPool } from "../../dist/index.js";

const [redis, queue] = (globalThis.Deno?.args ?? process.argv.slice(2));
const pool = new ClusterPool({ redis, module: "node", queue });
const fixtures = new ClusterPool({ redis, module: "fixtures", queue });
const report = {};
try {
  report.add = await fixtures.apply("add", [20, 22]);
  report.map = await fixtures.map("double", [1, 2, 3, 4, 5, 6], { chunksize: 2 });
  report.value = await fixtures.apply("echo", [{ when: new Date(0), big: 7n, set: new Set([1]) }]).then((v) => [v.when instanceof Date, typeof v.big, v.set instanceof Set]);
  report.error = await fixtures.apply("fail", ["cause"]).then(() => "resolved", (e) => `${e.name}: ${e.message} / ${e.cause?.name}`);
  report.inline = await fixtures.apply((x) => x, [1]).then(() => "resolved", (e) => e.name);
  report.timeout = await fixtures.apply("sleepThen", [5000, 1], { timeout: 200 }).then(() => "resolved", (e) => e.name);
  const nodes = await Promise.all(Array.from({ length: 12 }, () => pool.apply("nodeName", [])));
  report.nodes = [...new Set(nodes)].sort();
} catch (error) {
  report.unexpected = `${error?.name}: ${error?.message}`;
}
await pool.close();
await fixtures.close();
console.log(`REPORT ${JSON.stringify(report)}`);
// Deno keeps the process alive on some node-compat handles; the report is out, so leave.
globalThis.Deno ? globalThis.Deno.exit(0) : process.exit(0);
