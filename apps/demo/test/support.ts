/** Helpers for the demo's tests: run the built program as a user would, and check what it wrote. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/main.js …args` to the end. */
export function runDemo(args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WEFT_DEMO_PROGRESS: "0" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`weft-demo ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running command (serve, browser) and resolves the URL it prints. */
export function startServer(args: string[]): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (c: Buffer) => {
      output += c.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) {
        child.stdout!.off("data", onData);
        resolve({
          url: match[0],
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once("close", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    child.once("close", (code) => reject(new Error(`weft-demo ${args.join(" ")} exited (${code}) before serving:\n${output}`)));
  });
}

/**
 * A small well-formedness check for the hand-written SVG: one root <svg>, every element closed
 * in order, attributes quoted, no stray `<` or `&` in text.
 */
export function checkWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
  let last = 0;
  let roots = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const text = xml.slice(last, m.index);
    if (/[<]/.test(text) || /&(?!amp;|lt;|gt;|quot;|apos;|#\d+;)/.test(text)) throw new Error(`bad text before offset ${m.index}: ${text.slice(0, 60)}`);
    last = tag.lastIndex;
    if (!m[2]) continue;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at offset ${m.index}`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  const rest = xml.slice(last);
  if (rest.trim() !== "" || /</.test(rest)) throw new Error(`unparsed text at the end: ${rest.slice(0, 60)}`);
  if (stack.length) throw new Error(`unclosed: ${stack.join(" > ")}`);
  if (roots !== 1) throw new Error(`expected one root element, got ${roots}`);
}
