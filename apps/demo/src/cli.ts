/** The command line: parsed and checked before anything starts, so bad input is one line. */
import { availableParallelism } from "node:os";
import { DemoError, RUNTIMES, type RuntimeName } from "./runtime.js";

export const PARTS = ["cpu", "io", "race", "embed"] as const;
export type Part = (typeof PARTS)[number];
export type Command = "demo" | "serve" | "browser" | "help";

export interface Cli {
  command: Command;
  parts: Set<Part>;
  /** The runtimes to launch; undefined = run here, on the current runtime. */
  runtimes: RuntimeName[] | undefined;
  runtimeArg: string | undefined;
  workers: number;
  ioWorkers: number;
  quick: boolean;
  out: string | undefined;
  port: number | undefined;
  mode: "inline" | "pool";
  /** Set by the launcher on its children: skip the per-runtime SVG. */
  child: boolean;
}

export const USAGE = `Usage: weft-demo [cpu] [io] [race] [embed] [options]   the terminal demo (default: all four parts)
       weft-demo serve [--port N] [--mode pool|inline]  the embedding server on its own (try /cheap and /heavy)
       weft-demo browser [--port N]                     the browser page, served cross-origin isolated

Options:
  --runtime R       node, deno, bun, all, or a comma list such as node,bun (default: the runtime running this)
  --workers N       pool size for CPU-bound work (default: the CPU count)
  --io-workers N    pool size for I/O-bound work (default: 8)
  --quick           small workloads, for tests
  --out DIR         where the JSON and SVG go (default: results/demo at the repository root)
  --port N          port for serve and browser (0 = any free port)
  --help            this text`;

export function cpus(): number {
  try {
    return Math.max(1, availableParallelism());
  } catch {
    return 1;
  }
}

/** The most workers that make sense here: a few per core (beyond that they only take turns). */
export function maxWorkers(): number {
  return Math.max(8, 4 * cpus());
}
export const MAX_IO_WORKERS = 64;

function integer(flag: string, raw: string | undefined, min: number, max: number, why: string): number {
  if (raw === undefined || raw.startsWith("--")) throw new DemoError(`${flag} needs a number (${min} to ${max}).`);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DemoError(`${flag} must be a whole number from ${min} to ${max}${why}; got ${JSON.stringify(raw)}.`);
  }
  return value;
}

export function parseRuntimes(raw: string | undefined): RuntimeName[] {
  if (raw === undefined || raw === "" || raw.startsWith("--")) throw new DemoError(`--runtime needs a value: ${RUNTIMES.join(", ")} or all.`);
  if (raw === "all") return [...RUNTIMES];
  const names = raw.split(",").map((s) => s.trim().toLowerCase());
  for (const name of names) {
    if (!(RUNTIMES as readonly string[]).includes(name)) {
      throw new DemoError(`unknown runtime ${JSON.stringify(name)}: choose ${RUNTIMES.join(", ")} or all (comma-separate several).`);
    }
  }
  return [...new Set(names)] as RuntimeName[];
}

export function parseCli(args: string[]): Cli {
  const cli: Cli = {
    command: "demo",
    parts: new Set(),
    runtimes: undefined,
    runtimeArg: undefined,
    workers: cpus(),
    ioWorkers: 8,
    quick: false,
    out: undefined,
    port: undefined,
    mode: "pool",
    child: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => (inline !== undefined ? inline : args[++i]);
    switch (flag) {
      case "--help":
      case "-h":
        cli.command = "help";
        break;
      case "--runtime":
        cli.runtimeArg = value();
        cli.runtimes = parseRuntimes(cli.runtimeArg);
        break;
      case "--workers":
        cli.workers = integer("--workers", value(), 1, maxWorkers(), ` (this machine has ${cpus()} CPUs; more workers than that only take turns)`);
        break;
      case "--io-workers":
        cli.ioWorkers = integer("--io-workers", value(), 1, MAX_IO_WORKERS, "");
        break;
      case "--quick":
        cli.quick = true;
        break;
      case "--child":
        cli.child = true;
        break;
      case "--out": {
        const dir = value();
        if (!dir || dir.startsWith("--")) throw new DemoError("--out needs a directory.");
        cli.out = dir;
        break;
      }
      case "--port":
        cli.port = integer("--port", value(), 0, 65535, "");
        break;
      case "--mode": {
        const mode = value();
        if (mode !== "inline" && mode !== "pool") throw new DemoError(`--mode must be pool or inline; got ${JSON.stringify(mode ?? "")}.`);
        cli.mode = mode;
        break;
      }
      default:
        if ((PARTS as readonly string[]).includes(arg)) cli.parts.add(arg as Part);
        else if (arg === "serve" || arg === "browser") cli.command = arg;
        else if (arg === "all") PARTS.forEach((p) => cli.parts.add(p));
        else if (arg.startsWith("-")) throw new DemoError(`unknown option ${arg} (see --help).`);
        else throw new DemoError(`unknown part ${JSON.stringify(arg)}: choose from ${PARTS.join(", ")}, serve or browser (see --help).`);
    }
  }
  if (cli.parts.size === 0) PARTS.forEach((p) => cli.parts.add(p));
  if (cli.command !== "demo" && cli.command !== "help" && cli.runtimes && cli.runtimes.length > 1) {
    throw new DemoError(`${cli.command} runs on one runtime at a time; give --runtime node, deno or bun.`);
  }
  return cli;
}
