/** Where every runner writes its results: the repository root's results/ (or WEFT_RESULTS_DIR). */
export const RESULTS_DIR = new URL("../../../results/", import.meta.url);

/** Deno.test has no per-test timeout: fail the case when it runs longer than the suite allows. */
export async function withTimeout<T>(work: Promise<T>, ms: number, title: string, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${title} timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
