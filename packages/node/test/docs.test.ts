import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, test } from "vitest";

// The docs' code runs: every ```ts block of docs/python-reference.md, and of the README's
// asyncio-primitives section, is compiled (TypeScript lowers `using` / `await using` for Node 20),
// with `from "weftjs"` pointed at this package's build, and run as a real Node program. It must
// exit 0 without writing to stderr; where every console.log of a block carries a `// → text`
// comment, its output must be exactly those lines.

const ROOT = new URL("../../../", import.meta.url);
const ENTRY = new URL("packages/node/dist/index.js", ROOT).href;

interface Block {
  readonly where: string;
  readonly code: string;
}

function blocksOf(file: string, sectionHeading?: string): Block[] {
  let text = readFileSync(new URL(file, ROOT), "utf8");
  if (sectionHeading !== undefined) {
    const start = text.indexOf(`\n${sectionHeading}\n`);
    if (start < 0) throw new Error(`${file} has no section "${sectionHeading}"`);
    const next = text.slice(start + sectionHeading.length + 2).search(/\n##+ /);
    text = text.slice(start, next < 0 ? undefined : start + sectionHeading.length + 2 + next);
  }
  const blocks: Block[] = [];
  const fence = /```ts\n([\s\S]*?)```/g;
  for (let match = fence.exec(text); match !== null; match = fence.exec(text)) {
    const firstLine = text.slice(0, match.index).split("\n").length;
    blocks.push({ where: `${file}${sectionHeading ? ` (${sectionHeading})` : ""}, block at line ${firstLine}`, code: match[1] ?? "" });
  }
  return blocks;
}

/** The lines the block says it prints, or undefined unless every console.log says. */
function expectedOutput(code: string): string[] | undefined {
  const logs = code.split("\n").filter((line) => line.includes("console.log("));
  const expected = logs.map((line) => /\/\/ → (.*)$/.exec(line)?.[1]);
  return expected.every((line) => line !== undefined) ? (expected as string[]) : undefined;
}

function compile(code: string): string {
  const pointed = code.replaceAll(/from "weftjs"/g, `from ${JSON.stringify(ENTRY)}`);
  return ts.transpileModule(pointed, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, lib: ["lib.esnext.d.ts"] },
  }).outputText;
}

function run(path: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path], { timeout: 60_000, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "weft-docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sources: [string, string | undefined][] = [
  ["docs/python-reference.md", undefined],
  ["README.md", "### asyncio's primitives: Semaphore, Queue, Barrier, Event, gather, waitFor, asCompleted"],
];

describe("the docs' code blocks run", () => {
  for (const [file, section] of sources) {
    const blocks = blocksOf(file, section);
    test(`${file} has code blocks`, () => expect(blocks.length).toBeGreaterThan(0));
    blocks.forEach((block, i) => {
      test(block.where, async () => {
        const path = join(dir, `${file.replaceAll(/\W/g, "_")}-${i}.mjs`);
        writeFileSync(path, compile(block.code));
        const { code, stdout, stderr } = await run(path);
        expect({ code, stderr }, block.code).toEqual({ code: 0, stderr: "" });
        const expected = expectedOutput(block.code);
        if (expected !== undefined) expect(stdout.trimEnd().split("\n"), block.code).toEqual(expected);
      }, 90_000);
    });
  }
});
