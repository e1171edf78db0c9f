// The consumer projects: each is a folder of the scratch project (so it shares its node_modules,
// installed from the tarballs) holding one README's snippets for one kind of user, run the way that
// README tells its users to run them.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { check, fail } from "./report.mjs";
import { describe, run } from "./run.mjs";
import { repo } from "./pack.mjs";
import { commandsOf, fileNameOf } from "./snippets.mjs";
import { checkPage } from "./vite-page.mjs";
import { installNode, NODE_22_TYPE_STRIPPING } from "./toolchains/node-binary.mjs";

/** The runtimes the repository installs as npm packages (the user would have their own). */
const runtimeBins = join(repo, "node_modules/.bin");

/** Strict TypeScript as a Node ESM user sets it up (tsc --init's strictness, Node's module mode). */
const NODE_TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    lib: ["es2024", "esnext.disposable"],
    types: ["node"],
    outDir: "dist",
    rootDir: ".",
    skipLibCheck: false,
  },
  include: ["*.ts"],
};

/** Writes a project's files; returns { programs, commands } (programs: files of unnamed blocks). */
export function writeProject(dir, blocks, extraFiles = {}) {
  mkdirSync(dir, { recursive: true });
  const programs = [];
  const commands = [];
  blocks.forEach((block, index) => {
    if (block.language === "sh") {
      commands.push(...commandsOf(block));
      return;
    }
    if (block.language === "text") {
      // What the app shows (a Vite app's page), compared by the project's runner.
      writeFileSync(join(dir, "expected.txt"), block.code);
      return;
    }
    const file = fileNameOf(block, index);
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), block.code);
    if (!block.name) programs.push(file);
  });
  for (const [file, content] of Object.entries(extraFiles)) {
    if (blocks.some((block) => block.name === file)) continue; // the README's own version wins
    writeFileSync(join(dir, file), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  return { programs, commands };
}

/** The environment of a documented command: the scratch project's tools and the runtimes on PATH. */
function commandEnv(scratch, extraEnv = {}) {
  return { ...process.env, ...extraEnv, PATH: [join(scratch, "node_modules/.bin"), runtimeBins, process.env.PATH].join(":"), NO_COLOR: "1" };
}

/** Runs the README's own `$ ` commands in order; each must succeed and print the documented lines. */
export async function runDocumentedCommands(title, dir, scratch, commands, extraEnv) {
  const shown = [];
  for (const { command, output } of commands) {
    const result = await run("sh", ["-c", command], { cwd: dir, env: commandEnv(scratch, extraEnv), timeoutMs: 180_000 });
    if (result.code !== 0) throw new Error(describe(result, `\`${command}\``));
    const printed = result.stdout.split("\n").map((line) => line.trimEnd());
    const missing = output.filter((line) => !printed.includes(line.trimEnd()));
    if (missing.length) throw new Error(`\`${command}\` did not print the documented lines:\n${missing.join("\n")}\nit printed:\n${result.stdout}`);
    shown.push(command);
  }
  return shown.join(" && ");
}

/**
 * What a program's `console.log(…); // → what it prints — a remark` comments say it prints; a
 * comment with a `~` (a measured time, say) is an estimate, not compared.
 */
function commentedOutputs(source) {
  return [...source.matchAll(/^\s*console\.log\(.*\);\s*\/\/\s*(?:→\s*)?(.+?)(?:\s+—\s.*)?\s*$/gm)].map((match) => match[1]).filter((line) => !line.includes("~"));
}

/** Runs every unnamed block as a program of its own, then the README's commands (if it has any). */
async function runPrograms(label, dir, scratch, { programs, commands }, command) {
  for (const program of programs) {
    await check(`${label}: ${program} runs`, async () => {
      const [bin, ...args] = command(program);
      const result = await run(bin, args, { cwd: dir, timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(describe(result, `${bin} ${args.join(" ")}`));
      // Compared without white space: `[6765, 10946]` is what a reader writes for Node's `[ 6765, 10946 ]`.
      const bare = (line) => line.replace(/\s+/g, "");
      const printed = new Set(result.stdout.split("\n").map(bare));
      const wrong = commentedOutputs(readFileSync(join(dir, program), "utf8")).filter((line) => !printed.has(bare(line)));
      if (wrong.length) throw new Error(`the README says it prints lines it does not print:\n${wrong.join("\n")}\nit printed:\n${result.stdout}`);
    });
  }
  if (commands.length) await check(`${label}: the documented commands run and print the documented output`, () => runDocumentedCommands(label, dir, scratch, commands));
  if (!programs.length && !commands.length) fail(label, 'nothing to run: no unnamed program block and no marked sh block with "$ " lines');
}

/** A project whose documented commands bundle it: they name files under ./node_modules, as in a user's own project. */
async function runBundled(label, dir, scratch, blocks) {
  const project = writeProject(dir, blocks, { "package.json": { type: "module" } });
  symlinkSync(join(scratch, "node_modules"), join(dir, "node_modules"), "dir");
  await runPrograms(label, dir, scratch, project, (p) => ["node", p]);
}

export const projects = {
  /** Node ESM compiled by `tsc --strict`, then run with node. */
  async node({ label, dir, scratch, blocks }) {
    const project = writeProject(dir, blocks, { "package.json": { type: "module" }, "tsconfig.json": NODE_TSCONFIG });
    let compiled = false;
    await check(`${label}: tsc --strict type-checks and compiles the snippets`, async () => {
      const result = await run(join(scratch, "node_modules/.bin/tsc"), ["-p", "."], { cwd: dir, timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(describe(result, "tsc -p ."));
      compiled = true;
    });
    if (compiled) await runPrograms(label, dir, scratch, project, (p) => ["node", `dist/${p.replace(/\.ts$/, ".js")}`]);
  },

  /** Node 22's type stripping: `node <program>.ts`, no flags, on the first Node 22 that strips types by default. */
  async node22({ label, dir, scratch, blocks }) {
    const project = writeProject(dir, blocks, { "package.json": { type: "module" } });
    let node;
    await check(`${label}: node@${NODE_22_TYPE_STRIPPING} installed from the registry`, async () => {
      node = await installNode(dir);
    });
    if (node) await runPrograms(label, dir, scratch, project, (p) => [node, p]);
  },

  /** The same kind of snippets run from source with tsx. */
  async tsx({ label, dir, scratch, blocks }) {
    const project = writeProject(dir, blocks, { "package.json": { type: "module" } });
    await runPrograms(label, dir, scratch, project, (p) => [join(scratch, "node_modules/.bin/tsx"), p]);
  },

  /** A CommonJS project (no "type": "module"): require() of the ESM-only packages. */
  async cjs({ label, dir, scratch, blocks }) {
    const project = writeProject(dir, blocks, { "package.json": { type: "commonjs" } });
    await runPrograms(label, dir, scratch, project, (p) => ["node", p]);
  },

  /** Bun runs .ts programs (and .ts task modules) as they are. */
  async bun({ label, dir, scratch, blocks }) {
    const project = writeProject(dir, blocks, { "package.json": { type: "module" } });
    await runPrograms(label, dir, scratch, project, (p) => [join(runtimeBins, "bun"), p]);
  },

  /** Deno: `deno check` on every program, then exactly the README's command line. */
  async deno({ label, dir, scratch, blocks }) {
    const project = writeProject(dir, blocks, { "package.json": { type: "module" } });
    const files = blocks.filter((b) => b.language === "ts").map(fileNameOf);
    await check(`${label}: deno check ${files.join(" ")}`, async () => {
      const result = await run(join(runtimeBins, "deno"), ["check", ...files], { cwd: dir, env: commandEnv(scratch), timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(describe(result, "deno check"));
    });
    if (project.programs.length) fail(label, "Deno snippets run through the README's command line: name every block (// main.ts)");
    await check(`${label}: the documented commands run and print the documented output`, () => runDocumentedCommands(label, dir, scratch, project.commands));
  },

  /** A Node app bundled as the README says (esbuild), run from its bundle. */
  async esbuild({ label, dir, scratch, blocks }) {
    await runBundled(label, dir, scratch, blocks);
  },

  /** A Bun app bundled as the README says (`bun build`, `bun build --compile`), run from its output. */
  async "bun-build"({ label, dir, scratch, blocks }) {
    await runBundled(label, dir, scratch, blocks);
  },

  /** A Vite app: type-checked, built and previewed, and served by the dev server, in headless Chromium. */
  async vite({ label, dir, scratch, blocks }) {
    writeProject(dir, blocks, {
      "package.json": { type: "module" },
      "tsconfig.json": {
        compilerOptions: {
          strict: true, target: "es2022", module: "esnext", moduleResolution: "bundler", allowImportingTsExtensions: true,
          noEmit: true, lib: ["es2024", "esnext.disposable", "dom", "dom.iterable"], types: ["vite/client"], skipLibCheck: false,
        },
        include: ["src", "*.ts"],
      },
    });
    const vite = join(scratch, "node_modules/.bin/vite");
    await check(`${label}: tsc --strict type-checks the app (moduleResolution bundler)`, async () => {
      const result = await run(join(scratch, "node_modules/.bin/tsc"), ["-p", "."], { cwd: dir, timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(describe(result, "tsc -p ."));
    });
    let built = false;
    await check(`${label}: vite build`, async () => {
      const result = await run(vite, ["build", "--logLevel", "warn"], { cwd: dir, timeoutMs: 180_000 });
      if (result.code !== 0) throw new Error(describe(result, "vite build"));
      built = true;
    });
    if (built) await check(`${label}: the built app runs under vite preview in headless Chromium`, () => checkPage(vite, ["preview"], dir));
    await check(`${label}: the app runs under the vite dev server in headless Chromium`, () => checkPage(vite, [], dir));
  },
};
