/**
 * A pool's worker hooks on the worker's side: runs the initializer before the first task (tasks
 * wait for it; if it fails, none runs and the caller replaces the worker), and the teardown when
 * the caller retires the worker normally. Each answers the caller when it has run.
 */
import { flushChannels } from "../channels/client.js";
import { serializeError, type SerializedError } from "../codec/thrown.js";
import type { HookCall, SetupMessage } from "../protocol.js";
import { reviveValue } from "../values.js";
import { type TaskResolver, explainFailure } from "./modules.js";

export class WorkerHooks {
  readonly #resolver: TaskResolver;
  readonly #answer: (message: { type: "setup-done" | "teardown-done"; error?: SerializedError }) => void;
  #teardown: HookCall | undefined;
  /** The initializer's run while it runs: true once it succeeded, false if it failed. */
  #started: Promise<boolean> | undefined;
  #failed = false;

  constructor(resolver: TaskResolver, answer: (message: { type: "setup-done" | "teardown-done"; error?: SerializedError }) => void) {
    this.#resolver = resolver;
    this.#answer = answer;
  }

  /** Tasks must wait for {@link started} before they run (an initializer is running, or failed). */
  get gated(): boolean {
    return this.#started !== undefined || this.#failed;
  }

  /** Resolves true once tasks may run; false if the initializer failed (then no task ever runs here). */
  get started(): Promise<boolean> {
    return this.#started ?? Promise.resolve(!this.#failed);
  }

  /** Runs the initializer (if any) and answers the caller; keeps the teardown for later. */
  setup(message: SetupMessage): void {
    this.#teardown = message.teardown;
    const initializer = message.initializer;
    this.#started = (initializer ? this.#run(initializer) : Promise.resolve(undefined)).then((error) => {
      this.#started = undefined;
      this.#failed = error !== undefined;
      this.#send("setup-done", error);
      return !this.#failed;
    });
  }

  /** Runs the teardown (if any) and answers the caller. */
  teardown(): void {
    const teardown = this.#teardown;
    this.#teardown = undefined;
    void (teardown ? this.#run(teardown) : Promise.resolve(undefined)).then((error) => this.#send("teardown-done", error));
  }

  /** Runs a hook to its end; resolves with what it threw (wrapped so that `undefined` thrown still counts), or undefined. */
  async #run(hook: HookCall): Promise<{ thrown: unknown } | undefined> {
    try {
      const fn = await this.#resolver.resolve(hook.target);
      const args = hook.encoded ? (reviveValue(hook.args) as unknown[]) : (hook.args as unknown[]);
      await fn.apply(undefined, args);
      return undefined;
    } catch (thrown) {
      return { thrown: explainFailure(thrown, hook.target) };
    }
  }

  #send(type: "setup-done" | "teardown-done", error: { thrown: unknown } | undefined): void {
    // What the hook put on a channel travels before its answer (after a teardown, the worker is stopped).
    flushChannels();
    if (error === undefined) {
      this.#answer({ type });
      return;
    }
    let serialized: SerializedError;
    try {
      serialized = serializeError(error.thrown);
    } catch {
      serialized = serializeError(new Error(`The ${type === "setup-done" ? "initializer" : "teardown"} threw a value that cannot be described.`));
    }
    this.#answer({ type, error: serialized });
  }
}
