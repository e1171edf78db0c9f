/** The shapes of what the demo measures and writes as JSON. */
import type { RuntimeName } from "./runtime.js";

export type Model = "serial" | "tasks" | "threads" | "processes";
export const MODELS: readonly Model[] = ["serial", "tasks", "threads", "processes"];

export const MODEL_LABELS: Record<Model, string> = {
  serial: "serial (one after another)",
  tasks: "tasks on one event loop",
  threads: "thread pool",
  processes: "process pool",
};

export interface Row {
  model: Model;
  /** Workers (threads or processes); 1 for serial and tasks, which use the main thread only. */
  workers: number;
  /** From creating the pool to the last result, including `startMs`. */
  wallMs: number;
  /** Starting the pool's workers (0 for serial and tasks). */
  startMs: number;
  /** Serial wall time over this model's wall time. */
  speedup: number;
  /** The workload's answer, checked equal across models. */
  result: number;
}

export interface WorkloadReport {
  title: string;
  params: Record<string, number>;
  rows: Row[];
  lesson: string;
}

export interface RaceRow {
  variant: "unlocked" | "lock" | "atomic" | "processes";
  label: string;
  expected: number;
  count: number;
  lost: number;
  ms: number;
}

export interface RaceReport {
  threads: number;
  perThread: number;
  rows: RaceRow[];
  processRefusal: string;
  lesson: string;
}

export interface EmbedRow {
  mode: "inline" | "pool";
  label: string;
  heavyRequests: number;
  heavyMs: number;
  probes: number;
  cheapP50: number;
  cheapP95: number;
  cheapMax: number;
}

export interface EmbedReport {
  heavyN: number;
  poolKind: string;
  poolSize: number;
  rows: EmbedRow[];
  lesson: string;
}

export interface RuntimeReport {
  runtime: RuntimeName;
  version: string;
  adapter: string;
  cpus: number;
  /** The 1-minute load average when the run began: other work competing for the cores lowers speedups. */
  load: number;
  quick: boolean;
  date: string;
  cpu?: WorkloadReport;
  io?: WorkloadReport;
  race?: RaceReport;
  embed?: EmbedReport;
}

export interface CombinedReport {
  date: string;
  runtimes: RuntimeReport[];
  skipped: { runtime: string; reason: string }[];
}
