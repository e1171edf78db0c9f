/**
 * The progress bar: one line on stderr, redrawn in place on a terminal; elsewhere (CI logs) a
 * line at every tenth of each runtime's way. It counts the runtime that is running against that
 * runtime's own plan ("deno 40/111, runtime 2 of 4"): each runtime plans its cases only once it
 * has started, so a total over every runtime would jump at each start.
 */
import process from "node:process";
import type { RunEvent } from "./events.js";

/** Where the progress goes: stderr, or a test's stand-in. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export class Progress {
  readonly #runtimes: readonly string[];
  #runtime = "";
  #planned = 0;
  #done = 0;
  #failed = 0;
  #current = "";
  #lastTenth = -1;
  readonly #stream: ProgressStream;
  readonly #tty: boolean;
  readonly #enabled: boolean;

  constructor(enabled: boolean, runtimes: readonly string[], stream: ProgressStream = process.stderr) {
    this.#enabled = enabled;
    this.#runtimes = runtimes;
    this.#stream = stream;
    this.#tty = Boolean(stream.isTTY);
  }

  update(event: RunEvent): void {
    if (event.type === "plan") {
      this.#runtime = event.runtime;
      this.#planned = event.count;
      this.#done = 0;
      this.#lastTenth = -1;
      this.#current = "";
    } else if (event.type === "start") this.#current = event.title;
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

  /** A line that is printed with or without the bar (which runtime binary or Chromium ran, a --bail stop). */
  say(line: string): void {
    this.#stream.write(`${this.#enabled && this.#tty ? "\r\x1b[2K" : ""}${line}\n`);
    this.#draw();
  }

  /** Clears the bar before the final report. */
  end(): void {
    if (this.#enabled && this.#tty) this.#stream.write("\r\x1b[2K");
  }

  #print(line: string): void {
    if (!this.#enabled) return;
    this.#stream.write(`${this.#tty ? "\r\x1b[2K" : ""}${line}\n`);
  }

  /** "deno 40/111 (runtime 2 of 4, 1 failed)": where the run is. */
  #where(): string {
    const index = this.#runtimes.indexOf(this.#runtime);
    const of = this.#runtimes.length > 1 && index >= 0 ? `runtime ${index + 1} of ${this.#runtimes.length}` : "";
    const failed = this.#failed ? `${this.#failed} failed` : "";
    const extra = [of, failed].filter(Boolean).join(", ");
    return `${this.#runtime} ${this.#done}/${this.#planned} cases${extra ? ` (${extra})` : ""}`;
  }

  #draw(): void {
    if (!this.#enabled || !this.#planned) return;
    const fraction = this.#done / this.#planned;
    if (this.#tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      const columns = this.#stream.columns ?? 100;
      const head = `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${this.#where()} `;
      this.#stream.write(`\r\x1b[2K${head}${this.#current.slice(0, Math.max(0, columns - head.length - 1))}`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > this.#lastTenth) {
      this.#lastTenth = tenth;
      this.#stream.write(`progress: ${this.#where()}, ${tenth * 10}%\n`);
    }
  }
}
