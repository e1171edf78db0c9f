// TypeScript at the floor the READMEs declare and at the repository's own version: a strict Node
// project (no DOM lib, `skipLibCheck: false`, the weftjs README's tsconfig as written) compiles
// against every Node-facing package's shipped declarations, under several @types/node majors.
import { join } from "node:path";
import { check } from "../report.mjs";
import { run, describe } from "../run.mjs";
import { installProject, runTool } from "./project.mjs";

/** The oldest TypeScript weft's declarations support (they use NoInfer, from 5.4); the READMEs say the same. */
export const TYPESCRIPT_FLOOR = "5.4.5";

/** What a Node user's program touches in every Node-facing declaration file: shared typed arrays, a ClusterPool's listener types. */
const PROBE = `import { Pool, SharedArray, Value, threading } from "weftjs";
import * as core from "@weft/core";
import * as node from "@weft/node";
import { ClusterPool } from "@weft/cluster";
import type * as clusterTesting from "@weft/cluster/testing";

const counter = new Value("int32", 0);
const cells = SharedArray.of("float64", 4);
const shared: SharedArrayBuffer = cells.array.buffer;
const first: number = counter.add(2) + (cells.array[0] ?? 0);
type Listener = Parameters<ClusterPool["addEventListener"]>[1];
const onEvent: Listener = (event) => void event.type;
const lock: threading.Lock = new threading.Lock();
type Checked = [typeof Pool, typeof core.Pool, typeof node, typeof clusterTesting, Listener];
console.log(first, counter.load(), cells.array.length, typeof onEvent, lock.locked());
export type { Checked };
`;

/** A task module, and the typed targets of Thread and Process: each `@ts-expect-error` must be an error, or tsc fails. */
const TASKS = "export function add(a: number, b: number): number {\n  return a + b;\n}\n";
const TARGETS = `import { Process, Thread } from "weftjs";
type Tasks = typeof import("./tasks.js");
const module = new URL("./tasks.js", import.meta.url);
const named = new Process<Tasks, "add">({ module, target: "add", args: [2, 3] });
const inline = new Thread({ target: (n: number) => n * 2, args: [21] });
export const results: [Promise<number>, Promise<number>] = [named.join(), inline.join()];
// @ts-expect-error a name the module does not export
void new Process<Tasks>({ module, target: "addd", args: [2, 3] });
// @ts-expect-error a name the module does not export, with the name given
void new Process<Tasks, "add">({ module, target: "addd", args: [2, 3] });
// @ts-expect-error one function's type carries no name, so it cannot check a string target
void new Process<Tasks["add"]>({ module, target: "addd", args: [2, 3] });
// @ts-expect-error the task's argument types
void new Thread<Tasks, "add">({ module, target: "add", args: ["2", 3] });
`;

export async function typescriptChecks({ root, tarballs, tsconfig, repositoryTypescript }) {
  const variants = [
    { typescript: TYPESCRIPT_FLOOR, typesNode: "20.19.9" },
    { typescript: TYPESCRIPT_FLOOR, typesNode: "22.20.7" },
    { typescript: repositoryTypescript, typesNode: "24.19.4" },
  ];
  for (const { typescript, typesNode } of variants) {
    const label = `[typescript] typescript@${typescript}, @types/node@${typesNode}: the weftjs README's tsconfig (strict, no DOM, skipLibCheck false) compiles a program against weftjs, @weft/core, @weft/node and @weft/cluster; a Process target the task module does not export is a type error`;
    await check(label, async () => {
      const dir = await installProject(join(root, `typescript-${typescript}-node-${typesNode}`), tarballs, {
        weft: ["weftjs", "@weft/core", "@weft/node", "@weft/cluster"],
        tools: { typescript, "@types/node": typesNode },
        files: { "tsconfig.json": tsconfig, "probe.ts": PROBE, "tasks.ts": TASKS, "targets.ts": TARGETS },
      });
      await runTool(dir, "tsc", ["-p", "."]);
      const result = await run("node", ["dist/probe.js"], { cwd: dir, timeoutMs: 60_000 });
      if (result.code !== 0 || result.stdout.trim() !== "0 2 4 function false") throw new Error(describe(result, "node dist/probe.js"));
    });
  }
}
