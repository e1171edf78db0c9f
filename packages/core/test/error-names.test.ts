/**
 * weft's error classes keep their names and their `instanceof` after minification and across
 * separately bundled copies of weft: two minified esbuild bundles of the core are loaded side by
 * side, as a Vite app and a task module that bundles its own weft would be.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as here from "../src/index.js";

type Core = typeof here & Pick<typeof import("../src/transport.js"), "serializeError" | "deserializeError">;
const dir = mkdtempSync(join(tmpdir(), "weft-error-names-"));
let a: Core;
let b: Core;

async function bundle(name: string): Promise<Core> {
  const result = await build({
    // The user's entry and the error codec (on @weft/core/transport), as one bundled copy.
    stdin: { contents: 'export * from "./src/index.ts"; export { serializeError, deserializeError } from "./src/transport.ts";', resolveDir: new URL("..", import.meta.url).pathname, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "silent",
  });
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, result.outputFiles[0]!.text);
  return (await import(pathToFileURL(file).href)) as Core;
}

beforeAll(async () => {
  [a, b] = await Promise.all([bundle("copy-a"), bundle("copy-b")]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every error class weft exports, by its exported path (`asyncio.QueueEmpty`); the last part is the name it must have. */
function errorClasses(core: typeof here): [string, new (...args: never[]) => Error][] {
  const found: [string, new (...args: never[]) => Error][] = [];
  const scan = (ns: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(ns)) {
      if (typeof value === "function" && value.prototype instanceof Error) found.push([prefix + key, value as new (...args: never[]) => Error]);
    }
  };
  scan(core as unknown as Record<string, unknown>, "");
  scan(core.asyncio as unknown as Record<string, unknown>, "asyncio.");
  scan(core.threading as unknown as Record<string, unknown>, "threading.");
  return found;
}

describe("error names are literal and stable", () => {
  test("the unminified classes", () => {
    const classes = errorClasses(here);
    expect(classes.length).toBeGreaterThan(20);
    for (const [exported, cls] of classes) {
      const error = new (cls as unknown as new (...args: unknown[]) => Error)(exported.endsWith("DataCloneError") ? "args[0]" : "message", "reason");
      expect(error.name, exported).toBe(exported.split(".").pop());
    }
  });

  test("after minification (names survive, even though the classes' own names do not)", () => {
    const classes = errorClasses(a);
    expect(classes.some(([exported, cls]) => cls.name !== exported.split(".").pop())).toBe(true);
    for (const [exported, cls] of classes) {
      const error = new (cls as unknown as new (...args: unknown[]) => Error)(exported.endsWith("DataCloneError") ? "args[0]" : "message", "reason");
      expect(error.name, exported).toBe(exported.split(".").pop());
      expect(String(error.stack).startsWith(`${exported.split(".").pop()}:`), exported).toBe(true);
    }
    expect(new a.WorkerExitError(1, null).name).toBe("WorkerExitError");
    expect(new a.TaskReferenceError("x").name).toBe("TaskReferenceError");
  });
});

describe("instanceof holds across separately bundled copies", () => {
  test("each class of one copy recognises its instances from the other, and only those", () => {
    const fromA = new Map(errorClasses(a));
    const fromB = new Map(errorClasses(b));
    for (const [exported, clsA] of fromA) {
      // The brand is WeftError's: the family weft raises (WorkerExiting, an internal signal, is not in it).
      if (clsA !== a.WeftError && !(clsA.prototype instanceof a.WeftError)) continue;
      const clsB = fromB.get(exported)!;
      const error = new (clsA as unknown as new (...args: unknown[]) => Error)(exported.endsWith("DataCloneError") ? "args[0]" : "message", "reason");
      expect(error instanceof clsB, `${exported} from copy A is a ${exported} of copy B`).toBe(true);
      const local = errorClasses(here).find(([name]) => name === exported)![1];
      expect(error instanceof local, `${exported} from copy A is a ${exported} of the unbundled source`).toBe(true);
      expect(error instanceof b.WeftError).toBe(true);
      expect(error instanceof Error).toBe(true);
    }
    expect(new a.PoolClosedError("x") instanceof b.QueueFullError).toBe(false);
    expect(new a.TimeoutError() instanceof b.AbortError).toBe(false);
    expect(new a.threading.BrokenBarrierError("x") instanceof b.asyncio.BrokenBarrierError).toBe(false);
    expect(new a.asyncio.BrokenBarrierError("x") instanceof b.asyncio.BrokenBarrierError).toBe(true);
    expect(new Error("plain") instanceof b.WeftError).toBe(false);
    expect(({ name: "PoolClosedError" }) instanceof b.PoolClosedError).toBe(false);
  });

  test("an error thrown by one copy and received by another is that copy's class", () => {
    const sent = new a.TaskReferenceError("no such task");
    const received = b.deserializeError(structuredClone(a.serializeError(sent))) as Error;
    expect(received).toBeInstanceOf(b.TaskReferenceError);
    expect(received.name).toBe("TaskReferenceError");
    expect(received.message).toBe("no such task");
    const barrier = b.deserializeError(structuredClone(a.serializeError(new a.threading.BrokenBarrierError("broken"))));
    expect(barrier).toBeInstanceOf(b.threading.BrokenBarrierError);
    expect(barrier instanceof b.asyncio.BrokenBarrierError).toBe(false);
  });
});

