// A tiny app as a user would write it: import @weft/browser, run tasks on threads and processes.
import { Pool, Process, Thread, Value } from "@weft/browser";

const tasks = new URL("./tasks.js", import.meta.url);
const result = {};
try {
  const pool = new Pool({ kind: "thread", size: 2, module: tasks });
  try {
    result.squares = await pool.map("square", [1, 2, 3, 4]);
    result.inline = await pool.apply((a, b) => a * b, [6, 7]);
    result.fromModule = await pool.apply("add", [2, 3]);
  } finally {
    await pool.close();
  }
  result.process = await new Process({ target: (n) => `process:${n}`, args: [21] }).start().join();
  result.isolated = self.crossOriginIsolated;
  const counter = new Value("int32", 0);
  await new Thread({ target: (value) => value.add(5), args: [counter] }).start().join();
  result.shared = counter.load();
} catch (error) {
  result.error = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
}
document.getElementById("out").textContent = JSON.stringify(result, null, 2);
window.weftViteResult = result;
