/** Which kind of worker: a thread shares the process (and may share memory); a process shares nothing. */
export type WorkerKind = "thread" | "process";
