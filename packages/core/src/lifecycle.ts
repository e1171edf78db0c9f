/**
 * Thread and Process: Python's `threading.Thread` and `multiprocessing.Process` lifecycle —
 * start, join, isAlive, exitCode, terminate — running one target in its own worker.
 */
import type { TransferableObject } from "./web-types.js";
import { defaultAdapter } from "./adapter-registry.js";
import { InvalidArgumentError, InvalidStateError, TimeoutError, WorkerExitError } from "./errors.js";
import { checkBoolean, checkDuration, checkKnownKeys, checkStartOptions } from "./options.js";
import { HostLink } from "./host-link.js";
import { decodeOutcome } from "./outcome.js";
import type { Adapter, ExitInfo, StartOptions, WorkerKind } from "./port.js";
import type { RunRequest } from "./protocol.js";
import { type AnyFunction, type ModuleSpecifier, moduleUrl, resolveTarget, type TargetFunction, type TargetKey, type TargetName, type TargetType } from "./task-ref.js";
import { checkTransferList, prepareArgs } from "./values.js";
import { type StartMethod, takeSpareProcess } from "./spare-process.js";

/**
 * Options of a {@link Thread} or {@link Process} typed by `T`: a function's type (an inline
 * target), or a task module's type with the export's name `K` (a string target, checked).
 */
export interface WorkerTargetOptions<T extends TargetType = AnyFunction, K extends TargetKey<T> = TargetKey<T>> {
  /** The function to run: an inline self-contained function, or the name of an export of `module`. */
  readonly target: (T extends AnyFunction ? T : never) | TargetName<T, K>;
  /** The task module that exports `target` when it is a name. */
  readonly module?: ModuleSpecifier;
  /** The target's arguments. */
  readonly args?: Parameters<TargetFunction<T, K>>;
  /** ArrayBuffers to move to a thread (copied to a process). */
  readonly transfer?: readonly TransferableObject[];
  /** A name, for debugging. */
  readonly name?: string;
  /**
   * A daemon does not keep the host alive (Python's `daemon=True`); it is stopped when the host
   * exits. Default false: the host waits for the target to finish.
   */
  readonly daemon?: boolean;
  readonly workerOptions?: StartOptions;
  readonly adapter?: Adapter;
}

/** Options of a {@link Process}: a thread's, and how its worker is started. */
export interface ProcessOptions<T extends TargetType = AnyFunction, K extends TargetKey<T> = TargetKey<T>> extends WorkerTargetOptions<T, K> {
  /**
   * "spawn" (the default) starts a fresh runtime for this Process. "forkserver" takes a process
   * started ahead and starts the next one meanwhile, so that a program that starts many short
   * Processes does not wait for a runtime to boot each time (Python's forkserver; see
   * {@link Process.setStartMethod}). A Process with `workerOptions` always spawns.
   */
  readonly startMethod?: StartMethod;
}

const OPTION_KEYS = ["target", "module", "args", "transfer", "name", "daemon", "workerOptions", "adapter"] as const;
const PROCESS_OPTION_KEYS = [...OPTION_KEYS, "startMethod"] as const;
const START_METHODS: readonly StartMethod[] = ["spawn", "forkserver"];
let defaultStartMethod: StartMethod = "spawn";

function checkStartMethod(method: unknown, what: string): StartMethod {
  if (!START_METHODS.includes(method as StartMethod)) {
    throw new InvalidArgumentError(`${what} must be "spawn" or "forkserver"; got ${typeof method === "string" ? JSON.stringify(method) : String(method)}.`);
  }
  return method as StartMethod;
}
const TERMINATED_EXIT_CODE = -15;
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

abstract class WorkerLifecycle<R> {
  readonly name: string;
  readonly daemon: boolean;
  readonly #kind: WorkerKind;
  readonly #adapter: Adapter;
  readonly #request: RunRequest;
  readonly #transfer: readonly TransferableObject[] | undefined;
  readonly #workerOptions: StartOptions;
  #link: HostLink | undefined;
  #exitCode: number | null = null;
  #alive = false;
  #outcome: { ok: true; value: R } | { ok: false; error: unknown } | undefined;
  #terminating = false;
  #exited: Promise<void> | undefined;
  readonly #callerSite = new Error("caller");
  readonly #startMethod: StartMethod;

  constructor(kind: WorkerKind, options: ProcessOptions<TargetType, string>) {
    checkKnownKeys(options, kind === "thread" ? OPTION_KEYS : PROCESS_OPTION_KEYS, `${kind === "thread" ? "Thread" : "Process"} options`);
    if (options === undefined) throw new InvalidArgumentError(`new ${kind === "thread" ? "Thread" : "Process"}() needs { target }.`);
    this.#kind = kind;
    this.#adapter = options.adapter ?? defaultAdapter();
    const target = resolveTarget(options.target, options.module === undefined ? undefined : moduleUrl(options.module));
    const args = options.args ?? [];
    if (!Array.isArray(args)) throw new InvalidArgumentError("args must be an array (the target's argument list).");
    const prepared = prepareArgs(args, kind);
    this.#request = { id: 1, target, args: prepared.args, encoded: prepared.encoded, mode: "call" };
    this.#transfer = kind === "thread" ? checkTransferList(options.transfer) : undefined;
    this.name = options.name ?? `${kind === "thread" ? "Thread" : "Process"}-${target.name}`;
    this.daemon = checkBoolean(options.daemon, "daemon") ?? false;
    checkStartOptions(options.workerOptions);
    this.#workerOptions = options.workerOptions ?? {};
    this.#startMethod = options.startMethod === undefined ? defaultStartMethod : checkStartMethod(options.startMethod, "Process option startMethod");
  }

  /** Starts the worker. A Thread or Process can be started once (as in Python). */
  start(): this {
    if (this.#exited) throw new InvalidStateError(`${this.name} was already started; a ${this.#kind} can be started only once.`);
    let settleExit!: () => void;
    this.#exited = new Promise((resolve) => (settleExit = resolve));
    const target = this.#request.target;
    let link: HostLink;
    const module = "module" in target ? target.module : undefined;
    // A spare is started with no options of its own: only a Process that has none may take it.
    const spare = this.#startMethod === "forkserver" && Object.keys(this.#workerOptions).length === 0 ? takeSpareProcess(this.#adapter, module) : undefined;
    try {
      link = new HostLink(
        {
          adapter: this.#adapter,
          kind: this.#kind,
          inPool: false,
          startOptions: { ...this.#workerOptions, name: this.name, ...(module === undefined ? {} : { module }) },
          ...(spare ? { started: spare } : {}),
        },
        {
          ready: () => undefined,
          results: (outcomes) => {
            const outcome = outcomes[0];
            if (!outcome || this.#outcome) return;
            const decoded = decodeOutcome(outcome, this.#callerSite.stack);
            this.#outcome = decoded.ok ? { ok: true, value: decoded.value as R } : decoded;
            // Python: a process whose target returned exits 0; one whose target raised exits 1.
            this.#exitCode = decoded.ok ? 0 : 1;
            void link.terminate();
          },
          exited: (info: ExitInfo, error) => {
            this.#alive = false;
            if (!this.#outcome) {
              this.#exitCode = this.#terminating
                ? TERMINATED_EXIT_CODE
                : info.signal ? -(SIGNAL_NUMBERS[info.signal] ?? 1) : (info.code ?? 1);
              this.#outcome = { ok: false, error: this.#terminating ? new WorkerExitError(null, "SIGTERM", undefined, false) : error };
            }
            settleExit();
          },
        },
      );
    } catch (error) {
      this.#outcome = { ok: false, error };
      this.#exitCode = 1;
      settleExit();
      return this;
    }
    this.#link = link;
    this.#alive = true;
    if (this.daemon) link.setKeepAlive(false);
    try {
      link.send({ type: "run", tasks: [this.#request] }, this.#transfer);
    } catch (error) {
      this.#outcome = { ok: false, error };
      this.#exitCode = 1;
      void link.terminate();
    }
    return this;
  }

  /**
   * Waits for the worker to end and returns the target's result, or throws its error (Python's
   * `join()` returns None; weft also hands over the result). With `timeoutMs`, throws a
   * TimeoutError if it is still running then — the worker keeps running; check `isAlive()`.
   */
  async join(timeoutMs?: number): Promise<R> {
    checkDuration(timeoutMs, "join timeout");
    if (!this.#exited) throw new InvalidStateError(`Cannot join ${this.name} before it is started; call start() first.`);
    if (timeoutMs !== undefined && timeoutMs !== Infinity) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
      const winner = await Promise.race([this.#exited.then(() => "exited" as const), timedOut]);
      clearTimeout(timer);
      if (winner === "timeout") throw new TimeoutError(`${this.name} was still running after ${timeoutMs} ms.`);
    }
    await this.#exited;
    const outcome = this.#outcome!;
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  /** True from `start()` until the worker has ended (Python's `is_alive()`). */
  isAlive(): boolean {
    return this.#alive;
  }

  /**
   * null while running or before start; 0 if the target returned; 1 if it threw; -15 after
   * `terminate()`; the runtime's code (or minus the signal number) if the worker died
   * (Python's `exitcode`).
   */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /** The OS process id of a process worker, where the runtime has one. */
  get pid(): number | undefined {
    return this.#link?.pid;
  }

  /**
   * Stops the worker now (Python's `terminate()`); `exitCode` is then -15. `join()` afterwards
   * rejects with WorkerExitError (signal "SIGTERM") — where Python's `join()` returns None — because
   * weft's `join()` hands over the target's result and a terminated target has none: a settled
   * `join()` never hangs, and a result-shaped `undefined` is never passed off as the target's.
   */
  async terminate(): Promise<void> {
    if (!this.#link || !this.#alive) return;
    this.#terminating = true;
    await this.#link.terminate();
    await this.#exited;
  }

  /** `await using t = new Thread(…).start()` terminates it at the end of the scope if it still runs. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }
}

/**
 * Runs one function in a new thread worker — Python's `threading.Thread`, except that JavaScript
 * worker threads truly run in parallel (no GIL). Shared-memory primitives passed in `args` are
 * shared with it.
 *
 * Typed by an inline target's own type, or, for a target named in a task module, by the
 * module's type and the name: `new Thread<typeof import("./tasks.js"), "add">({ module, target:
 * "add", args: [2, 3] })`, where a name the module does not export is a type error. (A function's
 * type alone, `Thread<Tasks["add"]>`, carries no name, so it takes inline targets only.)
 *
 * @example
 * ```ts
 * const t = new Thread({ target: (n: number) => n * 2, args: [21] }).start();
 * console.log(await t.join()); // 42
 * ```
 */
export class Thread<T extends TargetType = AnyFunction, K extends TargetKey<T> = TargetKey<T>> extends WorkerLifecycle<Awaited<ReturnType<TargetFunction<T, K>>>> {
  constructor(options: WorkerTargetOptions<T, K>) {
    super("thread", options as WorkerTargetOptions<TargetType, string>);
  }
}

/**
 * Runs one function in a new process — Python's `multiprocessing.Process`. It shares no memory
 * with its parent: arguments and result are copied, and shared-memory objects are refused.
 * Typed as {@link Thread} is: `new Process<typeof import("./tasks.js"), "add">({ … })`.
 */
export class Process<T extends TargetType = AnyFunction, K extends TargetKey<T> = TargetKey<T>> extends WorkerLifecycle<Awaited<ReturnType<TargetFunction<T, K>>>> {
  constructor(options: ProcessOptions<T, K>) {
    super("process", options as ProcessOptions<TargetType, string>);
  }

  /**
   * Sets how Processes created from now on start, unless their own `startMethod` says otherwise
   * (Python's `multiprocessing.set_start_method`). "forkserver" keeps one process started ahead
   * (per adapter, for the task module last used), which never keeps the host alive; "spawn"
   * (the default) starts each Process from scratch. Throws InvalidArgumentError for anything else.
   */
  static setStartMethod(method: StartMethod): void {
    defaultStartMethod = checkStartMethod(method, "Process.setStartMethod's method");
  }

  /** The start method new Processes use (Python's `multiprocessing.get_start_method`). */
  static getStartMethod(): StartMethod {
    return defaultStartMethod;
  }
}
