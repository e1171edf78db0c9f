// `bun build --compile` of an app with process workers: the executable must refuse with a named
// error and end, never start copies of itself (its execPath runs the app whatever its arguments).
import { join } from "node:path";
import { check } from "../report.mjs";
import { describe, run } from "../run.mjs";
import { installProject } from "./project.mjs";

const FILES = {
  "tasks.ts": "export const square = (x: number): number => x * x;\n",
  "main.ts": `import { Pool, Process } from "weftjs";

// A copy of the app started by a worker ends at once, so that a regression fails this check instead of filling the machine.
const copies = Number(process.env.WEFT_APP_COPIES ?? "0");
if (copies > 0) {
  console.log("a worker started a copy of the app");
  process.exit(3);
}
process.env.WEFT_APP_COPIES = "1";
const module = new URL("./tasks.js", import.meta.url);
const pool = new Pool<typeof import("./tasks.ts")>({ kind: "process", size: 1, module });
const pooled = await pool.apply("square", [3]).then(String, (error: Error) => \`\${error.name}: \${error.message}\`);
await pool.terminate();
let single: string;
try {
  const p = new Process({ module, target: "square", args: [3] }).start();
  single = String(await p.join());
} catch (error) {
  single = \`\${(error as Error).name}: \${(error as Error).message}\`;
}
console.log(\`pool: \${pooled}\\nprocess: \${single}\`);
`,
};

export async function bunCompileChecks({ root, tarballs, runtimeBins }) {
  const dir = join(root, "bun-compile");
  const bun = join(runtimeBins, "bun");
  await check("[bun] bun build --compile of an app with process workers: the executable refuses with a WorkerStartError and ends (no copies of itself)", async () => {
    await installProject(dir, tarballs, { weft: ["weftjs"], files: FILES });
    const built = await run(bun, ["build", "--compile", "main.ts", "--outfile", "app"], { cwd: dir, timeoutMs: 120_000 });
    if (built.code !== 0) throw new Error(describe(built, "bun build --compile"));
    const result = await run(join(dir, "app"), [], { cwd: dir, timeoutMs: 60_000 });
    if (result.stdout.includes("a worker started a copy of the app")) throw new Error(describe(result, "./app") + "\n(a process worker started the executable again)");
    const lines = result.stdout.trim().split("\n");
    for (const [index, what] of ["pool", "process"].entries()) {
      const line = lines[index] ?? "";
      if (!line.startsWith(`${what}: WorkerStartError:`) || !line.includes("compiled Bun executable")) throw new Error(describe(result, "./app") + `\nexpected "${what}: WorkerStartError: … compiled Bun executable …"`);
    }
  });
}
