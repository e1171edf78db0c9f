/** The command line of `weft-conformance`. */
import type { WorkerKind } from "@weft/core";
import type { Scale } from "../harness.js";

export const RUNTIMES = ["node", "deno", "bun", "browser"] as const;
export type RuntimeChoice = (typeof RUNTIMES)[number];

export interface CliOptions {
  readonly runtimes: readonly RuntimeChoice[] | undefined;
  readonly kinds: readonly WorkerKind[] | undefined;
  readonly adapter: string | undefined;
  readonly scale: Scale;
  readonly filter: readonly string[];
  /** Path to write the JSON matrix to, or "-" for stdout instead of the text matrix. */
  readonly json: string | undefined;
  readonly markdown: string | undefined;
  /** Binaries given by flag, by runtime; `browser` is the Chromium executable. */
  readonly binaries: Partial<Record<RuntimeChoice, string>>;
  readonly progress: boolean;
  /** Stop at the first failing case: the rest of that runtime's cases and the runtimes after it are not run. */
  readonly bail: boolean;
  readonly help: boolean;
  /** Internal: run this runtime only and print events for a parent run. */
  readonly emitEvents: boolean;
}

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Usage: weft-conformance [options]

Runs the weft conformance suite (every case, thread and process workers) on this runtime and
prints the matrix: case × runtime × kind → pass / fail / skipped (with the reason), and the
measured parallel speedup. Exits 1 when a case fails.

Options:
  --runtime <list>     node,deno,bun,browser (default: the runtime running this command).
                       Other runtimes start from binaries on PATH or given below; the browser
                       is headless Chromium (CHROME_PATH, a system chromium, or @sparticuz/chromium).
  --kind <list>        thread,process (default: both)
  --adapter <module>   Test this module's adapter (export \`adapter\` or default) instead of the
                       one weft ships for the runtime. A path or a package name.
  --quick              Shorter soak and speedup: under a minute on two cores.
  --filter <text>      Only cases whose title contains the text (repeatable).
  --json [file]        Write the matrix as JSON (to stdout when no file is given).
  --markdown [file]    Write the matrix as Markdown (to stdout when no file is given).
  --node <path>, --deno <path>, --bun <path>, --chrome <path>
                       The binary to start for that runtime.
  --bail, --fail-fast  Stop at the first failing case (the runtimes after it are not run).
  --no-progress        No progress bar.
  -h, --help           This text.
`;

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value.split(",").map((item) => item.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new UsageError(`${flag} takes ${allowed.join(", ")}; got "${item}".`);
  }
  if (items.length === 0) throw new UsageError(`${flag} needs a value: ${allowed.join(", ")}.`);
  return [...new Set(items)] as T[];
}

export function parseArgs(argv: readonly string[]): CliOptions {
  let runtimes: RuntimeChoice[] | undefined;
  let kinds: WorkerKind[] | undefined;
  let adapter: string | undefined;
  let scale: Scale = "full";
  const filter: string[] = [];
  let json: string | undefined;
  let markdown: string | undefined;
  const binaries: Partial<Record<RuntimeChoice, string>> = {};
  let progress = true;
  let bail = false;
  let help = false;
  let emitEvents = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.startsWith("--") && argv[i]!.includes("=") ? [argv[i]!.slice(0, argv[i]!.indexOf("=")), argv[i]!.slice(argv[i]!.indexOf("=") + 1)] : [argv[i]!, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value.`);
      i++;
      return next;
    };
    const optionalValue = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === "-") i++;
      if (next === undefined || next.startsWith("-")) return "-";
      i++;
      return next;
    };
    switch (flag) {
      case "--runtime": runtimes = list(value(), RUNTIMES, flag); break;
      case "--kind": kinds = list(value(), ["thread", "process"] as const, flag); break;
      case "--adapter": adapter = value(); break;
      case "--quick": scale = "quick"; break;
      case "--scale": scale = list(value(), ["quick", "standard", "full"] as const, flag)[0]!; break;
      case "--filter": filter.push(value()); break;
      case "--json": json = optionalValue(); break;
      case "--markdown": markdown = optionalValue(); break;
      case "--node": binaries.node = value(); break;
      case "--deno": binaries.deno = value(); break;
      case "--bun": binaries.bun = value(); break;
      case "--chrome": binaries.browser = value(); break;
      case "--no-progress": progress = false; break;
      case "--bail": case "--fail-fast": bail = true; break;
      case "--emit-events": emitEvents = true; break;
      case "-h": case "--help": help = true; break;
      default: throw new UsageError(`Unknown option ${flag}. Run weft-conformance --help for the options.`);
    }
  }
  if (json === "-" && markdown === "-") throw new UsageError("--json and --markdown cannot both print to stdout; give one of them a file.");
  return { runtimes, kinds, adapter, scale, filter, json, markdown, binaries, progress, bail, help, emitEvents };
}

/** The flags a child runtime gets: the same run, minus what only the parent does. */
export function childArgs(options: CliOptions, adapterUrl: string | undefined): string[] {
  const args = ["--emit-events", "--scale", options.scale];
  if (options.kinds) args.push("--kind", options.kinds.join(","));
  if (adapterUrl) args.push("--adapter", adapterUrl);
  for (const text of options.filter) args.push("--filter", text);
  if (options.bail) args.push("--bail");
  return args;
}
