// Adapters share their glue through @weft/core (or one shared module), never by copy: a run copied
// between two adapters' src (or from the core into an adapter) is two places to fix, and they drift.
// This check fails on any run of MIN_LINES or more lines that stands in two of those packages, and
// on a whole file (of MIN_FILE_LINES or more) that another package holds too, however short.
//
// Lines are compared as a reader sees them: blank lines, comments, import statements and lines of
// punctuation alone do not count, and white space is folded; what is left must match to the letter.
//
//   node scripts/adapter-copies.mjs            exits 1 and lists the runs when there is one
//   node scripts/adapter-copies.mjs --self-test  checks that the checker finds a planted copy
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const MIN_LINES = 5;
/** A file this long or longer must not stand whole in two packages (a byte-identical module is a copy, short or not). */
export const MIN_FILE_LINES = 3;
/** The packages whose src must not repeat each other's lines: the adapters, and the core they build on. */
export const PACKAGES = ["node", "deno", "bun", "browser", "core"];

const repo = fileURLToPath(new URL("..", import.meta.url));

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/**
 * The lines that count, each with its line number: comments and imports blanked out first
 * (keeping line numbers), then blank and punctuation-only lines dropped and white space folded.
 */
export function significantLines(source) {
  const blank = (text) => text.replace(/[^\n]/g, "");
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, blank)
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1")
    .replace(/^\s*import\s[^;]*?;/gms, blank)
    .replace(/^\s*import\s+["'][^"']+["'];?/gm, "");
  const lines = [];
  code.split("\n").forEach((text, index) => {
    const folded = text.trim().replace(/\s+/g, " ");
    if (folded === "" || /^[\s{}()[\];,.]*$/.test(folded)) return;
    lines.push({ line: index + 1, text: folded });
  });
  return lines;
}

/**
 * The runs of at least `minLines` significant lines that stand in files of two different
 * packages. `files` is [{ pkg, path, source }]; each run is reported once per pair of places,
 * as { a: { pkg, path, from, to }, b: { ... }, lines }.
 */
export function copiedRuns(files, minLines = MIN_LINES) {
  const parsed = files.map((file) => ({ ...file, lines: significantLines(file.source) }));
  const windows = new Map();
  parsed.forEach((file, fileIndex) => {
    for (let at = 0; at + minLines <= file.lines.length; at++) {
      const key = file.lines.slice(at, at + minLines).map((line) => line.text).join("\n");
      let places = windows.get(key);
      if (!places) windows.set(key, (places = []));
      places.push({ fileIndex, at });
    }
  });
  // Pairs of windows across packages, grown into the longest runs they start.
  const seen = new Set();
  const runs = [];
  for (const places of windows.values()) {
    for (let i = 0; i < places.length; i++) {
      for (let j = i + 1; j < places.length; j++) {
        const [p, q] = [places[i], places[j]];
        const [a, b] = [parsed[p.fileIndex], parsed[q.fileIndex]];
        if (a.pkg === b.pkg) continue;
        // Only from where the run starts: a window whose predecessors also match belongs to a longer run.
        const before = p.at > 0 && q.at > 0 && a.lines[p.at - 1].text === b.lines[q.at - 1].text;
        if (before) continue;
        const id = `${p.fileIndex}:${p.at}|${q.fileIndex}:${q.at}`;
        if (seen.has(id)) continue;
        seen.add(id);
        let length = minLines;
        while (p.at + length < a.lines.length && q.at + length < b.lines.length && a.lines[p.at + length].text === b.lines[q.at + length].text) length++;
        const place = (file, at) => ({ pkg: file.pkg, path: file.path, from: file.lines[at].line, to: file.lines[at + length - 1].line });
        runs.push({ a: place(a, p.at), b: place(b, q.at), lines: length });
      }
    }
  }
  return runs.sort((x, y) => y.lines - x.lines);
}

/**
 * The files whose lines (as compared above) are all those of a file in another package:
 * [{ a: { pkg, path }, b: { pkg, path }, lines }], for files of `minLines` lines or more.
 */
export function copiedFiles(files, minLines = MIN_FILE_LINES) {
  const byText = new Map();
  const copies = [];
  for (const file of files) {
    const lines = significantLines(file.source);
    if (lines.length < minLines) continue;
    const text = lines.map((line) => line.text).join("\n");
    const earlier = byText.get(text) ?? [];
    for (const other of earlier) if (other.pkg !== file.pkg) copies.push({ a: { pkg: other.pkg, path: other.path }, b: { pkg: file.pkg, path: file.path }, lines: lines.length });
    byText.set(text, [...earlier, file]);
  }
  return copies;
}

/** Every source file of the checked packages' src folders. */
export function packageSources(packages = PACKAGES) {
  return packages.flatMap((pkg) =>
    sourceFiles(join(repo, "packages", pkg, "src")).map((path) => ({ pkg, path: relative(repo, path), source: readFileSync(path, "utf8") })),
  );
}

function selfTest() {
  const glue = ["export function start(port) {", "  const timer = setInterval(check, 1000);", "  port.on('message', (m) => handle(m));", "  if (port.closed) stop(timer);", "  return () => clearInterval(timer);", "}"].join("\n");
  const planted = [
    { pkg: "node", path: "node/a.ts", source: `import { x } from "y";\n// node's\n${glue}\n` },
    { pkg: "bun", path: "bun/a.ts", source: `/* bun's */\n\n${glue.replace(/\n/g, "\n\n   ")}\nexport const other = 1;\n` },
    { pkg: "node", path: "node/b.ts", source: glue },
  ];
  const runs = copiedRuns(planted);
  const pairs = runs.map((run) => `${run.a.path}~${run.b.path}:${run.lines}`).sort();
  // The copy across packages is found (comments, imports, blank lines and indentation aside); the one within node is not a finding.
  const expected = ["bun/a.ts~node/b.ts:5", "node/a.ts~bun/a.ts:5"].sort();
  if (JSON.stringify(pairs) !== JSON.stringify(expected)) throw new Error(`adapter-copies self-test: expected ${expected.join(", ")}, found ${pairs.join(", ") || "nothing"}`);
  if (copiedRuns([planted[0], { ...planted[1], source: planted[1].source.replace("port.closed", "port.ended") }]).length !== 0) {
    throw new Error("adapter-copies self-test: a run broken by a changed line was reported");
  }
  const watchdog = "import { workerData } from 'node:worker_threads';\nconst { parent } = workerData;\nsetInterval(() => {\n  if (process.ppid !== parent) process.exit(1);\n}, 1000);\n";
  const short = [
    { pkg: "node", path: "node/watchdog.ts", source: `// node's\n${watchdog}` },
    { pkg: "bun", path: "bun/watchdog.ts", source: watchdog },
    { pkg: "bun", path: "bun/other.ts", source: watchdog.replace("exit(1)", "exit(2)") },
  ];
  const files = copiedFiles(short).map((copy) => `${copy.a.path}=${copy.b.path}`);
  if (copiedRuns(short).length !== 0 || JSON.stringify(files) !== JSON.stringify(["node/watchdog.ts=bun/watchdog.ts"])) {
    throw new Error(`adapter-copies self-test: a short file copied whole between packages was not found as the one copy (found ${files.join(", ") || "nothing"})`);
  }
  console.log("adapter-copies: self-test passed (finds a planted 5-line copy and a short file copied whole, ignores ones broken by a changed line)");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--self-test")) {
    selfTest();
  } else {
    const files = packageSources();
    const runs = copiedRuns(files);
    const whole = copiedFiles(files);
    if (runs.length === 0 && whole.length === 0) {
      console.log(`adapter-copies: no run of ${MIN_LINES}+ lines and no file copied between ${PACKAGES.map((pkg) => `packages/${pkg}/src`).join(", ")} (${files.length} files)`);
    } else {
      console.error(`adapter-copies: code copied between packages' src; move the shared code into @weft/core or one shared module:`);
      for (const run of runs) console.error(`  ${run.a.path}:${run.a.from}-${run.a.to} ~ ${run.b.path}:${run.b.from}-${run.b.to} (a run of ${run.lines} lines)`);
      for (const copy of whole) console.error(`  ${copy.a.path} = ${copy.b.path} (the whole file, ${copy.lines} lines)`);
      process.exitCode = 1;
    }
  }
}
