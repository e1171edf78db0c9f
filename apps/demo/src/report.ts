/** Printing the tables, and the SVG chart of speedup by model and runtime (hand-written SVG). */
import { MODEL_LABELS, MODELS, type CombinedReport, type Model, type RuntimeReport, type WorkloadReport } from "./types.js";

const ms = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString("en-US"));

function table(head: string[], rows: string[][], align: ("l" | "r")[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => "  " + cells.map((c, i) => (align[i] === "l" ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), "  " + widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Wraps a lesson to about 100 columns, indented. */
function lesson(text: string): string {
  return wrap(`  → lesson: ${text}`);
}

function wrap(text: string): string {
  const words = text.trimStart().split(" ");
  const lines: string[] = [];
  let current = "  " + words.shift()!;
  for (const word of words) {
    if (current.length + word.length + 1 > 100) {
      lines.push(current);
      current = "    ";
    }
    current += ` ${word}`;
  }
  lines.push(current);
  return lines.join("\n");
}

export function formatHeader(report: Pick<RuntimeReport, "runtime" | "version" | "adapter" | "cpus" | "load" | "quick">): string {
  const busy = report.load > report.cpus * 0.75 ? ` — load average ${report.load.toFixed(1)}: other work is using these cores, so speedups will be lower` : "";
  return `\nweft demo on ${report.runtime} ${report.version} — ${report.cpus} CPUs, adapter "${report.adapter}" from import { Pool } from "weftjs"${report.quick ? " (quick)" : ""}${busy}\n`;
}

export function formatWorkload(name: string, work: WorkloadReport): string {
  const rows = work.rows.map((row) => [
    MODEL_LABELS[row.model],
    String(row.workers),
    ms(row.wallMs),
    row.startMs > 0 ? ms(row.startMs) : "–",
    `${row.speedup.toFixed(2)}×`,
  ]);
  return `${name}: ${work.title}\n${table(["model", "workers", "wall ms", "start ms", "speedup"], rows, ["l", "r", "r", "r", "r"])}\n${lesson(work.lesson)}\n`;
}

export function formatRace(report: RuntimeReport): string {
  const race = report.race!;
  const rows = race.rows.map((row) => [row.label, row.count.toLocaleString("en-US"), row.lost.toLocaleString("en-US"), ms(row.ms)]);
  return (
    `The race: ${race.threads} workers each add 1 to a shared counter ${race.perThread.toLocaleString("en-US")} times (expected ${(race.threads * race.perThread).toLocaleString("en-US")})\n` +
    `${table(["variant", "count", "lost", "loop ms"], rows, ["l", "r", "r", "r"])}\n` +
    `${lesson(race.lesson)}\n${wrap(`  a shared Value sent to a process: ${race.processRefusal.split("\n")[0]}`)}\n`
  );
}

export function formatEmbed(report: RuntimeReport): string {
  const embed = report.embed!;
  const rows = embed.rows.map((row) => [row.label, String(row.heavyRequests), ms(row.heavyMs), String(row.probes), ms(row.cheapP50), ms(row.cheapP95), ms(row.cheapMax)]);
  return (
    `Embedding: an HTTP server whose /heavy counts the primes below ${embed.heavyN.toLocaleString("en-US")}; /cheap is probed every 5 ms meanwhile\n` +
    `${table(["server", "heavy", "heavy ms", "probes", "cheap p50", "p95", "max ms"], rows, ["l", "r", "r", "r", "r", "r", "r"])}\n${lesson(embed.lesson)}\n`
  );
}

export function formatSection(name: "cpu" | "io" | "race" | "embed", report: RuntimeReport): string {
  if (name === "cpu") return formatWorkload("CPU-bound", report.cpu!);
  if (name === "io") return formatWorkload("I/O-bound", report.io!);
  if (name === "race") return formatRace(report);
  return formatEmbed(report);
}

/** A one-screen summary across runtimes (the launcher prints it after every child). */
export function formatSummary(combined: CombinedReport): string {
  const head = ["runtime", ...MODELS.flatMap((m) => [`cpu ${m}`]), ...MODELS.map((m) => `io ${m}`)];
  const rows = combined.runtimes.map((r) => [
    `${r.runtime} ${r.version}`,
    ...MODELS.map((m) => speedupOf(r.cpu, m)),
    ...MODELS.map((m) => speedupOf(r.io, m)),
  ]);
  const skipped = combined.skipped.map((s) => `  ${s.runtime}: not run — ${s.reason}`).join("\n");
  return `\nSpeedup over serial, by runtime\n${table(head, rows, ["l", ...head.slice(1).map(() => "r" as const)])}${skipped ? `\n${skipped}` : ""}\n`;
}

function speedupOf(work: WorkloadReport | undefined, model: Model): string {
  const row = work?.rows.find((r) => r.model === model);
  return row ? `${row.speedup.toFixed(2)}×` : "–";
}

// ----- SVG ------------------------------------------------------------------------------------

const COLORS: Record<string, string> = { node: "#3c873a", deno: "#2b6cb0", bun: "#c05621", browser: "#6b46c1" };
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Two panels (CPU-bound, I/O-bound), each a grouped bar chart: one group per model, one bar per
 * runtime, height = speedup over serial, with a dashed line at 1× (serial).
 */
export function speedupSvg(reports: RuntimeReport[]): string {
  const panelW = 460;
  const panelH = 300;
  const margin = { top: 84, left: 52, bottom: 70, right: 16 };
  const width = margin.left + 2 * panelW + 40 + margin.right;
  const height = margin.top + panelH + margin.bottom;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<title>weft demo: speedup over serial by model and runtime</title>`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${margin.left}" y="24" font-size="16" font-weight="bold">Speedup over serial, by model and runtime</text>`);
  // legend
  reports.forEach((r, i) => {
    const x = margin.left + i * 200;
    parts.push(`<rect x="${x}" y="34" width="12" height="12" fill="${COLORS[r.runtime] ?? "#666"}"/>`);
    parts.push(`<text x="${x + 16}" y="44">${esc(`${r.runtime} ${r.version} (${r.cpus} CPUs)`)}</text>`);
  });
  const panels: [string, (r: RuntimeReport) => WorkloadReport | undefined][] = [
    ["CPU-bound (count primes)", (r) => r.cpu],
    ["I/O-bound (loopback requests)", (r) => r.io],
  ];
  panels.forEach(([title, pick], p) => {
    const x0 = margin.left + p * (panelW + 40);
    const y0 = margin.top;
    const values = reports.flatMap((r) => pick(r)?.rows.map((row) => row.speedup) ?? []);
    const max = niceMax(Math.max(1.5, ...values));
    const y = (v: number) => y0 + panelH - (v / max) * panelH;
    parts.push(`<text x="${x0}" y="${y0 - 12}" font-weight="bold">${esc(title)}</text>`);
    for (const tick of ticks(max)) {
      parts.push(`<line x1="${x0}" x2="${x0 + panelW}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e2e2e2"/>`);
      parts.push(`<text x="${x0 - 6}" y="${y(tick) + 4}" text-anchor="end" fill="#555">${tick}×</text>`);
    }
    parts.push(`<line x1="${x0}" x2="${x0 + panelW}" y1="${y(1)}" y2="${y(1)}" stroke="#333" stroke-dasharray="4 3"/>`);
    parts.push(`<line x1="${x0}" x2="${x0}" y1="${y0 + 8}" y2="${y0 + panelH}" stroke="#333"/>`);
    parts.push(`<line x1="${x0}" x2="${x0 + panelW}" y1="${y0 + panelH}" y2="${y0 + panelH}" stroke="#333"/>`);
    const groupW = panelW / MODELS.length;
    const barW = Math.min(34, (groupW - 16) / Math.max(1, reports.length));
    MODELS.forEach((model, m) => {
      const gx = x0 + m * groupW + (groupW - barW * reports.length) / 2;
      reports.forEach((r, i) => {
        const row = pick(r)?.rows.find((row) => row.model === model);
        if (!row) return;
        const bx = gx + i * barW;
        const top = y(row.speedup);
        parts.push(`<rect x="${bx.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${(y0 + panelH - top).toFixed(1)}" fill="${COLORS[r.runtime] ?? "#666"}"><title>${esc(`${r.runtime} ${model}: ${row.speedup.toFixed(2)}× (${Math.round(row.wallMs)} ms)`)}</title></rect>`);
        parts.push(`<text x="${(bx + (barW - 3) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10">${row.speedup < 10 ? row.speedup.toFixed(2) : Math.round(row.speedup)}</text>`);
      });
      const label = MODEL_LABELS[model].replace(" (one after another)", "");
      parts.push(`<text x="${(x0 + m * groupW + groupW / 2).toFixed(1)}" y="${y0 + panelH + 18}" text-anchor="middle">${esc(label)}</text>`);
      const workers = pick(reports[0]!)?.rows.find((row) => row.model === model)?.workers;
      if (workers !== undefined) parts.push(`<text x="${(x0 + m * groupW + groupW / 2).toFixed(1)}" y="${y0 + panelH + 34}" text-anchor="middle" fill="#666" font-size="10">${workers} worker${workers === 1 ? "" : "s"}</text>`);
    });
  });
  parts.push(`<text x="${margin.left}" y="${height - 12}" fill="#666" font-size="11">Higher is better. Dashed line: serial (1×). CPU-bound work needs cores (threads, processes); I/O-bound work needs only an event loop (tasks).</text>`);
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}

function niceMax(value: number): number {
  const steps = [1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500, 1000];
  return steps.find((s) => s >= value * 1.12) ?? Math.ceil(value * 1.12);
}

function ticks(max: number): number[] {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(Number(t.toFixed(2)));
  return out;
}
