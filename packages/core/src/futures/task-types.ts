/** How an executor's methods are typed from its task module `M` (as Pool's are). */
import type { AnyFunction, TaskArgs, TaskName, TaskResult } from "../task-ref.js";

/** A task given by name (an export of the module) or as a self-contained function. */
export type TaskOf<M> = TaskName<M> | AnyFunction;
/** The argument list of task `T`. */
export type ArgsOf<M, T> = T extends AnyFunction ? Parameters<T> : T extends keyof M ? TaskArgs<M, T> : never;
/** What task `T` resolves to. */
export type ResultOf<M, T> = T extends AnyFunction ? Awaited<ReturnType<T>> : T extends keyof M ? TaskResult<M, T> : never;
/** The one argument `map` passes to task `T` per item. */
export type ItemOf<M, T> = ArgsOf<M, T> extends [infer First, ...unknown[]] ? First : ArgsOf<M, T> extends [] ? never : unknown;
