// Extracts the code blocks of a README that a consumer project runs. A block belongs to a project
// when the line before its fence says so:
//
//   <!-- consumers: node tsx -->        (one or more project names)
//   ```ts
//   // tasks.ts                          (an optional first-line comment names the file)
//
// A block without a file name is a program of its own (snippet-<n>.<ext>). A `sh` block marked
// this way holds the commands the README tells users to run (`$ ` lines), followed by their
// expected output. `<!-- consumers: not run — <reason> -->` marks a block deliberately left out;
// every other ts/js block of a checked README is an error, so no snippet goes unchecked silently.
import { readFileSync } from "node:fs";

const MARKER = /^\s*<!--\s*consumers:\s*(.+?)\s*-->\s*$/;
const FENCE = /^(\s*)```(\w*)\s*$/;
const FILE_NAME = /^(?:\/\/|<!--)\s*([\w./-]+\.(?:[cm]?[jt]sx?|json|html))\b/;
const CODE_LANGUAGES = new Set(["ts", "js", "tsx", "jsx", "mts", "mjs", "cjs", "cts", "typescript", "javascript", "html", "json"]);
const EXTENSION = { html: "html", json: "json", ts: "ts", typescript: "ts", tsx: "tsx", js: "js", javascript: "js", jsx: "jsx", mts: "mts", mjs: "mjs", cjs: "cjs", cts: "cts" };

/**
 * @typedef {{ readme: string, line: number, language: string, projects: string[], name: string | undefined, code: string }} Block
 * @returns {{ blocks: Block[], unmarked: { readme: string, line: number }[] }}
 */
export function readBlocks(readmePath, label) {
  const lines = readFileSync(readmePath, "utf8").split("\n");
  const blocks = [];
  const unmarked = [];
  let marker;
  for (let i = 0; i < lines.length; i++) {
    const markerMatch = MARKER.exec(lines[i]);
    if (markerMatch) {
      marker = markerMatch[1];
      continue;
    }
    const fence = FENCE.exec(lines[i]);
    if (!fence) {
      if (lines[i].trim() !== "") marker = undefined;
      continue;
    }
    const start = i;
    const body = [];
    const indent = fence[1];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i]);
    const language = fence[2] || "text";
    const isCode = CODE_LANGUAGES.has(language);
    if (marker === undefined) {
      if (isCode) unmarked.push({ readme: label, line: start + 1 });
    } else if (!marker.startsWith("not run")) {
      const name = isCode ? FILE_NAME.exec(body[0] ?? "")?.[1] : undefined;
      blocks.push({ readme: label, line: start + 1, language, projects: marker.split(/\s+/), name, code: `${body.join("\n")}\n` });
    }
    marker = undefined;
  }
  return { blocks, unmarked };
}

/** The file a code block becomes in its project: its own name, or snippet-<n> for a program. */
export function fileNameOf(block, index) {
  return block.name ?? `snippet-${index + 1}.${EXTENSION[block.language] ?? block.language}`;
}

/** The commands of a marked `sh` block (`$ ` lines) and the output lines that follow them. */
export function commandsOf(block) {
  const commands = [];
  for (const line of block.code.split("\n")) {
    if (line.startsWith("$ ")) commands.push({ command: line.slice(2).trim(), output: [] });
    else if (commands.length && line.trim() !== "") commands.at(-1).output.push(line);
  }
  return commands;
}
