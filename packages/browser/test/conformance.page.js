// Runs @weft/conformance inside a real page, against the built @weft/browser, and reports every
// result to the Node runner (scripts/test.mjs) through the functions it exposes on `window`.
// The page's URL says whether it is the cross-origin isolated run (?isolated=1) or not.
import { adapter } from "@weft/browser";
import * as weft from "@weft/browser";
import { ResultLog, conformanceTests } from "@weft/conformance";

const isolated = new URLSearchParams(location.search).get("isolated") === "1";
const label = isolated ? "browser" : "browser-not-isolated";
const report = (event) => window.weftReport(JSON.parse(JSON.stringify(event)));

const describe = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

function withTimeout(promise, ms, title) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${title}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runOne(title, kind, timeoutMs, body) {
  await report({ type: "start", title, timeoutMs });
  const started = performance.now();
  let outcome;
  try {
    const result = await withTimeout(body(), timeoutMs, title);
    outcome = result?.skipped ? { status: "skip", reason: result.skipped } : { status: "pass" };
  } catch (error) {
    outcome = { status: "fail", reason: describe(error), stack: error instanceof Error ? error.stack : undefined };
  }
  await report({ type: "result", title, kind, ms: Math.round(performance.now() - started), ...outcome });
  return outcome;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const HEADERS = ["Cross-Origin-Opener-Policy: same-origin", "Cross-Origin-Embedder-Policy: require-corp"];
const namesHeaders = (text) => HEADERS.every((header) => String(text).includes(header));

/** Checks only a browser run has: what isolation gives, or the errors its absence gives. */
const extraChecks = isolated
  ? [
      ["the page is cross-origin isolated and the adapter says it shares memory", async () => {
        check(self.crossOriginIsolated === true, "crossOriginIsolated is true");
        check(typeof SharedArrayBuffer === "function", "SharedArrayBuffer exists");
        check(adapter.capabilities.sharedMemory === true, "capabilities.sharedMemory is true");
        check(adapter.cpuCount() === navigator.hardwareConcurrency, `cpuCount() ${adapter.cpuCount()} is navigator.hardwareConcurrency ${navigator.hardwareConcurrency}`);
      }],
      ["the page never blocks: a lock held by a thread is awaited with Atomics.waitAsync, acquireSync is refused", async () => {
        const lock = new weft.threading.Lock();
        const event = new weft.threading.Event();
        const holder = new weft.Thread({
          // Holds the lock (blocking is allowed in a worker) until the page sets the event.
          target: (l, e) => { l.acquireSync(); e.waitSync(); l.release(); return "released"; },
          args: [lock, event],
        }).start();
        for (let i = 0; i < 200 && !lock.locked(); i++) await new Promise((r) => setTimeout(r, 10));
        check(lock.locked(), "the thread holds the lock");
        let threw;
        try { lock.acquireSync(); } catch (error) { threw = error; }
        check(threw?.name === "BlockingNotAllowedError", `acquireSync on the page throws BlockingNotAllowedError, got ${describe(threw)}`);
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 5);
        const acquiring = lock.acquire();
        await new Promise((r) => setTimeout(r, 100));
        event.set();
        check(await acquiring, "acquired after the thread released it");
        clearInterval(ticker);
        check(ticks >= 5, `the page kept running while it waited (${ticks} timer ticks)`);
        lock.release();
        check((await holder.join()) === "released", "the thread finished");
      }],
    ]
  : [
      ["not isolated: SharedArrayBuffer is absent and the capabilities say why, naming both headers", async () => {
        check(self.crossOriginIsolated === false, "crossOriginIsolated is false");
        check(typeof SharedArrayBuffer === "undefined", "SharedArrayBuffer does not exist");
        check(adapter.capabilities.sharedMemory === false, "capabilities.sharedMemory is false");
        check(namesHeaders(adapter.capabilities.notes?.sharedMemory), `notes.sharedMemory names both headers: ${adapter.capabilities.notes?.sharedMemory}`);
      }],
      ["not isolated: every shared-memory primitive throws SharedMemoryUnavailableError naming both headers", async () => {
        const { threading, Value, SharedArray } = weft;
        check(threading && Value && SharedArray, "@weft/core exports threading, Value and SharedArray");
        const makers = {
          "threading.Lock": () => new threading.Lock(),
          "threading.RLock": () => new threading.RLock(),
          "threading.Semaphore": () => new threading.Semaphore(2),
          "threading.BoundedSemaphore": () => new threading.BoundedSemaphore(2),
          "threading.Event": () => new threading.Event(),
          "threading.Condition": () => new threading.Condition(),
          "threading.Barrier": () => new threading.Barrier(2),
          Value: () => new Value("int32", 0),
          SharedArray: () => SharedArray.of("int32", 4),
        };
        for (const [name, make] of Object.entries(makers)) {
          let threw;
          try { make(); } catch (error) { threw = error; }
          check(threw instanceof weft.SharedMemoryUnavailableError, `${name} throws SharedMemoryUnavailableError, got ${describe(threw)}`);
          check(namesHeaders(threw.message), `${name}'s message names both headers: ${threw.message}`);
        }
      }],
      ["not isolated: threads and processes still work, over message passing (Pool, Thread, Queue)", async () => {
        await using pool = new weft.Pool({ kind: "thread", size: 2 });
        check((await pool.map((n) => n * n, [1, 2, 3])).join() === "1,4,9", "a thread pool maps");
        const thread = new weft.Thread({ target: (a, b) => a + b, args: [20, 22] }).start();
        check((await thread.join()) === 42, "a Thread joins with its value");
        const queue = new weft.multiprocessing.Queue();
        const producer = new weft.Process({ target: async (q) => { await q.put("from a process"); await q.close(); }, args: [queue] }).start();
        const items = [];
        for await (const item of queue) items.push(item);
        await producer.join();
        check(items.join() === "from a process", `a Queue carried the item without shared memory: ${items}`);
      }],
    ];

const log = new ResultLog(label);
const tests = conformanceTests({ adapter, host: {} }, log);
await report({ type: "plan", label, count: tests.length + extraChecks.length });
// The suite's titles name the runtime and kind; the run without isolation says so too.
const shown = (title) => (isolated ? title : title.replace(/^\[([^\]]*)\]/, "[$1, not isolated]"));
for (const test of tests) {
  const outcome = await runOne(shown(test.title), test.kind, test.timeoutMs, () => test.run());
  // A case that timed out never recorded itself; the result file must still show it.
  if (outcome.status === "fail" && !log.results.some((r) => test.title.endsWith(`] ${r.case}`) && r.kind === test.kind)) {
    log.add({ case: test.title.replace(/^\[[^\]]*\] /, ""), kind: test.kind, status: "fail", reason: outcome.reason, ms: 0, measures: {} });
  }
}
const extraResults = [];
for (const [name, body] of extraChecks) {
  const title = `[${label}] ${name}`;
  const outcome = await runOne(title, "page", 30_000, async () => { await body(); return {}; });
  extraResults.push({ name, ...outcome });
}
await report({ type: "done", log: log.toJSON(), extra: extraResults });
