// The types a task module gives Pool, Thread and Process, checked by compiling real snippets
// with TypeScript: each good call must compile and each wrong call must fail, so that a type
// that turned into `any` (and accepts everything) fails here.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, expect, test } from "vitest";

const dir = join(fileURLToPath(new URL(".", import.meta.url)), `.type-cases-${process.pid}`);
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PRELUDE = `import { Pipe, Pool, Process, Thread } from "@weft/node";
type Tasks = typeof import("@weft/conformance/fixtures/tasks.js");
declare const pool: Pool<Tasks>;
export {};
`;

/** The TypeScript errors a snippet has, as "TSnnnn" codes, compiled as the package's code is. */
function errorsOf(name: string, body: string): string[] {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `${PRELUDE}${body}\n`);
  const program = ts.createProgram([file], {
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2024.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"], types: ["node"], skipLibCheck: true, noEmit: true,
  });
  return ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file).map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
}

const cases: { name: string; body: string; compiles: boolean }[] = [
  { name: "apply-result", body: `const n: number = await pool.apply("add", [1, 2]);`, compiles: true },
  { name: "apply-result-wrong", body: `const s: string = await pool.apply("add", [1, 2]);`, compiles: false },
  { name: "apply-args-wrong", body: `void pool.apply("add", ["1", 2]);`, compiles: false },
  { name: "apply-unknown-task", body: `void pool.apply("noSuchTask", []);`, compiles: false },
  { name: "map-result", body: `const ns: number[] = await pool.map("double", [1, 2, 3]);`, compiles: true },
  { name: "map-result-wrong", body: `const ss: string[] = await pool.map("double", [1, 2, 3]);`, compiles: false },
  { name: "starmap-result", body: `const ns: number[] = await pool.starmap("countPrimes", [[0, 10]]);`, compiles: true },
  { name: "inline-result", body: `const n: number = await pool.apply((s: string) => s.length, ["abc"]);`, compiles: true },
  { name: "inline-args-wrong", body: `void pool.apply((s: string) => s.length, [3]);`, compiles: false },
  { name: "thread-join", body: `const s: string = await new Thread({ target: (a: number, b: string) => b + a, args: [1, "x"] }).join();`, compiles: true },
  { name: "thread-join-wrong", body: `const n: number = await new Thread({ target: (a: number, b: string) => b + a, args: [1, "x"] }).join();`, compiles: false },
  { name: "process-join", body: `const n: number = await new Process<Tasks, "countPrimes">({ module: "file:///tasks.js", target: "countPrimes", args: [0, 10] }).join();`, compiles: true },
  { name: "process-args-wrong", body: `void new Process<Tasks, "countPrimes">({ module: "file:///tasks.js", target: "countPrimes", args: ["0", 10] });`, compiles: false },
  { name: "process-module-typed", body: `void new Process<Tasks>({ module: "file:///tasks.js", target: "countPrimes", args: [0, 10] });`, compiles: true },
  { name: "process-unknown-target", body: `void new Process<Tasks>({ module: "file:///tasks.js", target: "countPrimez", args: [0, 10] });`, compiles: false },
  { name: "process-unknown-target-named", body: `void new Process<Tasks, "countPrimes">({ module: "file:///tasks.js", target: "countPrimez", args: [0, 10] });`, compiles: false },
  { name: "process-function-typed-name", body: `void new Process<Tasks["countPrimes"]>({ module: "file:///tasks.js", target: "countPrimez", args: [0, 10] });`, compiles: false },
  { name: "thread-unknown-target", body: `void new Thread<Tasks>({ module: "file:///tasks.js", target: "countPrimez" });`, compiles: false },
  { name: "process-untyped-name", body: `void new Process({ module: "file:///tasks.js", target: "countPrimes", args: [0, 10] });`, compiles: true },
  { name: "process-inline-join", body: `const n: number = await new Process({ target: (a: number) => a * 2, args: [2] }).join();`, compiles: true },
  { name: "process-inline-args-wrong", body: `void new Process({ target: (a: number) => a * 2, args: ["2"] });`, compiles: false },
  { name: "pipe-duplex", body: `const [a, b] = Pipe<number, string>({ duplex: true }); await a.send(1); const s: string = await a.recv(); await b.send(s);`, compiles: true },
  { name: "pipe-one-way", body: `const [reader, writer] = Pipe<number>(false); await writer.send(1); const n: number = await reader.recv();`, compiles: true },
  { name: "pipe-one-way-send-on-reader", body: `const [reader] = Pipe<number>({ duplex: false }); await reader.send(1);`, compiles: false },
  { name: "pipe-bad-argument", body: `void Pipe("false");`, compiles: false },
];

for (const { name, body, compiles } of cases) {
  test(`${compiles ? "compiles" : "is refused by tsc"}: ${body}`, () => {
    const errors = errorsOf(name, body);
    if (compiles) expect(errors).toEqual([]);
    else expect(errors.length, `expected a type error for ${body}`).toBeGreaterThan(0);
  }, 60_000);
}
