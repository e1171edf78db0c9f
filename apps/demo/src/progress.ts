/**
 * A one-line progress bar on stderr, redrawn in place. Drawn only on a terminal (or when
 * WEFT_DEMO_PROGRESS=1, which the all-runtimes launcher sets for its children), so logs and tests
 * stay clean.
 */
import { env, err, stderrIsTTY } from "./runtime.js";

const WIDTH = 24;

export class Progress {
  readonly #enabled: boolean;
  readonly #label: string;
  readonly #total: number;
  readonly #started = performance.now();
  #done = 0;
  #lastDraw = 0;

  constructor(label: string, total: number) {
    this.#label = label;
    this.#total = Math.max(1, total);
    this.#enabled = stderrIsTTY() || env("WEFT_DEMO_PROGRESS") === "1";
    this.#draw(true);
  }

  tick(count = 1): void {
    this.#done = Math.min(this.#total, this.#done + count);
    this.#draw(this.#done === this.#total);
  }

  /** Sets how much is done (for a bar that follows a value, e.g. a shared counter). */
  set(done: number): void {
    this.#done = Math.max(0, Math.min(this.#total, done));
    this.#draw(false);
  }

  /** Clears the bar (the caller prints the result line). */
  end(): void {
    if (this.#enabled) err("\r\x1b[2K");
  }

  #draw(force: boolean): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (!force && now - this.#lastDraw < 50) return;
    this.#lastDraw = now;
    const filled = Math.round((this.#done / this.#total) * WIDTH);
    const seconds = ((now - this.#started) / 1000).toFixed(1);
    err(`\r\x1b[2K  ${this.#label.padEnd(28)} [${"█".repeat(filled)}${"·".repeat(WIDTH - filled)}] ${this.#done}/${this.#total} ${seconds}s`);
  }
}
