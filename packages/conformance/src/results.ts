/** The machine-readable record of one run: case × runtime × kind → pass/fail/skip, plus measurements. */

export interface CaseResult {
  readonly case: string;
  readonly kind: string;
  readonly status: "pass" | "fail" | "skip";
  readonly reason?: string;
  readonly ms: number;
  readonly measures: Readonly<Record<string, number>>;
}

export interface ResultFile {
  readonly runtime: string;
  readonly finishedAt: string;
  readonly results: readonly CaseResult[];
}

/** Collects results as cases finish; the runtime's test file writes `toJSON()` where the matrix script finds it. */
export class ResultLog {
  readonly runtime: string;
  readonly results: CaseResult[] = [];

  constructor(runtime: string) {
    this.runtime = runtime;
  }

  add(result: CaseResult): void {
    this.results.push(result);
  }

  toJSON(): ResultFile {
    return { runtime: this.runtime, finishedAt: new Date().toISOString(), results: this.results };
  }
}
