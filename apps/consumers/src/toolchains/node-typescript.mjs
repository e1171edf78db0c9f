// A `.ts` task module on a Node that does not strip types (Node 20, or Node 22 with type
// stripping off): the tasks must reject with a TaskModuleLoadError that says what to do (tsx, a
// Node with type stripping, or compiling), not Node's bare "Unknown file extension".
import { join } from "node:path";
import { check } from "../report.mjs";
import { describe, run } from "../run.mjs";
import { installNode, NODE_22_TYPE_STRIPPING } from "./node-binary.mjs";
import { installProject } from "./project.mjs";

const FILES = {
  "tasks.ts": "export function square(x: number): number {\n  return x * x;\n}\n",
  "main.mjs": `import { Pool } from "weftjs";

const module = new URL("./tasks.ts", import.meta.url);
for (const kind of ["thread", "process"]) {
  const pool = new Pool({ kind, size: 1, module });
  try {
    console.log(kind, "ran", await pool.apply("square", [3]));
  } catch (error) {
    const advised = /tsx/.test(error.message) && /22\\.18/.test(error.message) && /compile/.test(error.message);
    console.log(kind, error.name, advised ? "with advice" : \`without advice: \${error.message}\`);
  } finally {
    await pool.terminate();
  }
}
`,
};

const EXPECTED = "thread TaskModuleLoadError with advice\nprocess TaskModuleLoadError with advice";

export async function nodeTypescriptChecks({ root, tarballs }) {
  const dir = join(root, "node-typescript");
  let installed = false;
  await check(`[node] a project with weftjs and a .ts task module`, async () => {
    await installProject(dir, tarballs, { weft: ["weftjs"], files: FILES });
    installed = true;
  });
  if (!installed) return;
  const current = Number(process.versions.node.split(".")[0]);
  const nodes = [
    // Node 20 has no type stripping; a newer Node running this stage has it turned off for the check.
    { name: `node ${process.version}`, binary: process.execPath, flags: current >= 22 ? ["--no-experimental-strip-types"] : [] },
    { name: `node v${NODE_22_TYPE_STRIPPING} --no-experimental-strip-types`, binary: undefined, flags: ["--no-experimental-strip-types"] },
  ];
  for (const node of nodes) {
    await check(`[node] ${node.name}: a .ts task module rejects with a TaskModuleLoadError that says what to do`, async () => {
      const binary = node.binary ?? (await installNode(dir));
      const result = await run(binary, [...node.flags, "main.mjs"], { cwd: dir, timeoutMs: 120_000 });
      if (result.code !== 0 || result.stdout.trim() !== EXPECTED) throw new Error(describe(result, `${node.name} main.mjs`) + `\nexpected:\n${EXPECTED}`);
    });
  }
}
