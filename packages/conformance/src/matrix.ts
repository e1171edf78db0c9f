/**
 * The closing matrix: case × runtime × kind → pass / fail / skip (with the reason), plus the
 * measured parallelism. Built from the result files of any number of runs; rendered for a
 * terminal, as Markdown, or kept as JSON. Runtime-neutral (no I/O here).
 */
import type { ResultFile } from "./results.js";

export interface MatrixCell {
  readonly status: "pass" | "fail" | "skip";
  readonly reason?: string;
  readonly ms: number;
}

export interface MatrixRow {
  readonly case: string;
  /** Column ("runtime/kind") → cell; a column the case does not apply to has none. */
  readonly cells: Record<string, MatrixCell>;
}

export interface SpeedupReport {
  readonly column: string;
  readonly workers?: number;
  /** Wall-clock speedup of the batch on `workers` workers over one worker (best of a few tries). */
  readonly speedup: number;
  /** Mean number of chunks running at once: the load-independent value the case gates on. */
  readonly concurrency?: number;
  /** The full run's curve: speedup on 1, 2, 4 … workers. */
  readonly curve: readonly { readonly workers: number; readonly speedup: number }[];
}

export interface Matrix {
  readonly columns: readonly string[];
  readonly rows: readonly MatrixRow[];
  readonly totals: Readonly<Record<string, { pass: number; fail: number; skip: number }>>;
  readonly speedups: readonly SpeedupReport[];
  /** Cells that failed, in all. */
  readonly failed: number;
}

/** Aggregates result files (one per runtime run) into the matrix. */
export function buildMatrix(files: readonly ResultFile[]): Matrix {
  const columns: string[] = [];
  const rows = new Map<string, Record<string, MatrixCell>>();
  const totals: Record<string, { pass: number; fail: number; skip: number }> = {};
  const speedups: SpeedupReport[] = [];
  let failed = 0;
  for (const file of files) {
    for (const result of file.results) {
      const column = `${file.runtime}/${result.kind}`;
      if (!columns.includes(column)) columns.push(column);
      const cells = rows.get(result.case) ?? {};
      rows.set(result.case, cells);
      cells[column] = { status: result.status, ms: result.ms, ...(result.reason ? { reason: result.reason } : {}) };
      const total = (totals[column] ??= { pass: 0, fail: 0, skip: 0 });
      total[result.status]++;
      if (result.status === "fail") failed++;
      const measures = result.measures ?? {};
      if (typeof measures.speedup === "number") {
        const curve = Object.entries(measures)
          .filter(([name]) => name.startsWith("speedup@"))
          .map(([name, value]) => ({ workers: Number(name.slice("speedup@".length)), speedup: value }))
          .sort((a, b) => a.workers - b.workers);
        speedups.push({
          column,
          speedup: measures.speedup,
          curve,
          ...(measures.workers !== undefined ? { workers: measures.workers } : {}),
          ...(measures.concurrency !== undefined ? { concurrency: measures.concurrency } : {}),
        });
      }
    }
  }
  return { columns, rows: [...rows].map(([name, cells]) => ({ case: name, cells })), totals, speedups, failed };
}

const MARK = { pass: "✓", fail: "✗", skip: "–" } as const;

function speedupLines(matrix: Matrix): string[] {
  return matrix.speedups.map((s) => {
    const on = s.workers ? ` on ${s.workers} workers` : "";
    const overlap = s.concurrency !== undefined ? ` (${s.concurrency} chunks ran at once on average)` : "";
    const curve = s.curve.length ? `; curve ${s.curve.map((p) => `${p.workers}→${p.speedup}×`).join(", ")}` : "";
    return `${s.column}: ${s.speedup}×${on}${overlap}${curve}`;
  });
}

function notes(matrix: Matrix, status: "fail" | "skip"): string[] {
  const lines: string[] = [];
  for (const row of matrix.rows) {
    for (const column of matrix.columns) {
      const cell = row.cells[column];
      if (cell?.status === status) lines.push(`[${column}] ${row.case}: ${cell.reason ?? "(no reason given)"}`);
    }
  }
  return lines;
}

function totalsLine(matrix: Matrix): string {
  return matrix.columns
    .map((column) => {
      const t = matrix.totals[column] ?? { pass: 0, fail: 0, skip: 0 };
      return `${column} ${t.pass} pass, ${t.fail} fail, ${t.skip} skip`;
    })
    .join("; ");
}

/** The matrix for a terminal: one mark per column, then the case; skips and failures listed with their reasons. */
export function matrixText(matrix: Matrix): string {
  const width = Math.max(...matrix.columns.map((c) => c.length), 4);
  const header = matrix.columns.map((c) => c.padEnd(width)).join(" ");
  const lines = [`${header}  case`];
  for (const row of matrix.rows) {
    const marks = matrix.columns.map((c) => (row.cells[c] ? MARK[row.cells[c].status] : " ").padEnd(width)).join(" ");
    lines.push(`${marks}  ${row.case}`);
  }
  const skips = notes(matrix, "skip");
  const failures = notes(matrix, "fail");
  if (skips.length) lines.push("", "Skipped (the adapter declares the capability missing):", ...skips.map((s) => `  – ${s}`));
  if (failures.length) lines.push("", "Failed:", ...failures.map((f) => `  ✗ ${f}`));
  if (matrix.speedups.length) lines.push("", "Parallel speedup measured on this machine:", ...speedupLines(matrix).map((s) => `  ${s}`));
  lines.push("", totalsLine(matrix));
  return lines.join("\n");
}

const escapeCell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** The matrix as Markdown: a table (✓ pass, ✗ fail, – skipped), then the reasons and the speedups. */
export function matrixMarkdown(matrix: Matrix): string {
  const lines = [`| case | ${matrix.columns.join(" | ")} |`, `|---|${matrix.columns.map(() => ":-:").join("|")}|`];
  for (const row of matrix.rows) {
    lines.push(`| ${escapeCell(row.case)} | ${matrix.columns.map((c) => (row.cells[c] ? MARK[row.cells[c].status] : " ")).join(" | ")} |`);
  }
  const skips = notes(matrix, "skip");
  const failures = notes(matrix, "fail");
  if (skips.length) lines.push("", "**Skipped** (capability declared missing):", "", ...skips.map((s) => `- ${escapeCell(s)}`));
  if (failures.length) lines.push("", "**Failed:**", "", ...failures.map((f) => `- ${escapeCell(f)}`));
  if (matrix.speedups.length) lines.push("", "**Parallel speedup** (wall clock, best of a few tries):", "", ...speedupLines(matrix).map((s) => `- ${s}`));
  lines.push("", totalsLine(matrix));
  return `${lines.join("\n")}\n`;
}
