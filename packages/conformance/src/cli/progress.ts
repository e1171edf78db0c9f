/**
 * The progress bar: one line on stderr, redrawn in place on a terminal; elsewhere (CI logs) a
 * line at every tenth of the way. Counts every runtime's cases together.
 */
import process from "node:process";
import type { RunEvent } from "./events.js";

export class Progress {
  readonly #planned = new Map<string, number>();
  #done = 0;
  #failed = 0;
  #current = "";
  #lastTenth = -1;
  readonly #tty: boolean;
  readonly #enabled: boolean;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
    this.#tty = Boolean(process.stderr.isTTY);
  }

  update(event: RunEvent): void {
    if (event.type === "plan") this.#planned.set(event.runtime, event.count);
    else if (event.type === "start") this.#current = event.title;
    else if (event.type === "result") {
      this.#done++;
      if (event.status === "fail") {
        this.#failed++;
        this.#print(`✗ ${event.title}: ${event.reason ?? ""}`);
      }
    }
    this.#draw();
  }

  /** A line above the bar (a failure, a runtime's own message). */
  note(line: string): void {
    this.#print(line);
    this.#draw();
  }

  /** Clears the bar before the final report. */
  end(): void {
    if (this.#enabled && this.#tty) process.stderr.write("\r\x1b[2K");
  }

  #total(): number {
    let total = 0;
    for (const count of this.#planned.values()) total += count;
    return total;
  }

  #print(line: string): void {
    if (!this.#enabled) return;
    process.stderr.write(`${this.#tty ? "\r\x1b[2K" : ""}${line}\n`);
  }

  #draw(): void {
    if (!this.#enabled) return;
    const total = this.#total();
    const fraction = total ? this.#done / total : 0;
    const failed = this.#failed ? `, ${this.#failed} failed` : "";
    if (this.#tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      const columns = process.stderr.columns ?? 100;
      const head = `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${this.#done}/${total}${failed} `;
      process.stderr.write(`\r\x1b[2K${head}${this.#current.slice(0, Math.max(0, columns - head.length - 1))}`);
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth > this.#lastTenth && total) {
        this.#lastTenth = tenth;
        process.stderr.write(`progress: ${this.#done}/${total} cases (${tenth * 10}%)${failed}\n`);
      }
    }
  }
}
