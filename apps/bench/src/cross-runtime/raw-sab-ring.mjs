// Thread → main without weft: a SharedArrayBuffer ring of numbers (Atomics, no encoding at all:
// the most a shared-memory channel could ever reach) against batches of 1,024 numbers by
// postMessage (what weft's channels send), in the same run, on node, deno or bun.
// Usage: <runtime> src/cross-runtime/raw-sab-ring.mjs   (deno: deno run -A …)
const g = globalThis;
const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
const SELF = new URL(import.meta.url);
const SLOTS = 4096;
let isWorker;
if (runtime === "deno") isWorker = typeof g.WorkerGlobalScope !== "undefined";
else isWorker = !(await import("node:worker_threads")).isMainThread;
async function port() {
  if (runtime === "node") { const { parentPort } = await import("node:worker_threads"); return { send: (m) => parentPort.postMessage(m), on: (f) => parentPort.on("message", f) }; }
  return { send: (m) => postMessage(m), on: (f) => (self.onmessage = (e) => f(e.data)) };
}
if (isWorker) {
  const p = await port();
  p.on(({ sab, n, mode }) => {
    if (mode === "batch") { for (let i = 0; i < n; i += 1024) { const v = new Array(Math.min(1024, n - i)); for (let k = 0; k < v.length; k++) v[k] = i + k; p.send({ type: "channel", ops: [{ op: "items", channel: "q", values: v }] }); } return; }
    const ctl = new Int32Array(sab, 0, 4); const data = new Float64Array(sab, 16, SLOTS);
    // ctl[0] = written count, ctl[1] = read count
    let w = 0;
    while (w < n) {
      const r = Atomics.load(ctl, 1);
      if (w - r >= SLOTS) { Atomics.wait(ctl, 1, r, 50); continue; }
      const room = Math.min(SLOTS - (w - r), n - w);
      for (let k = 0; k < room; k++) data[(w + k) % SLOTS] = w + k;
      w += room;
      Atomics.store(ctl, 0, w); Atomics.notify(ctl, 0);
    }
  });
} else {
  const n = 1_000_000;
  let w;
  if (runtime === "node") { const { Worker } = await import("node:worker_threads"); w = new Worker(SELF); } else w = new Worker(SELF.href, { type: "module" });
  const on = (f) => (runtime === "node" ? w.on("message", f) : (w.onmessage = (e) => f(e.data)));
  let handler = () => {}; on((m) => handler(m));
  await new Promise((r) => setTimeout(r, 300));
  for (let rep = 0; rep < 4; rep++) for (const mode of ["batch", "sab"]) {
    const sab = new SharedArrayBuffer(16 + SLOTS * 8);
    const ctl = new Int32Array(sab, 0, 4); const data = new Float64Array(sab, 16, SLOTS);
    const t = performance.now();
    let sum = 0;
    if (mode === "batch") {
      await new Promise((resolve) => { let got = 0; handler = (m) => { for (const v of m.ops[0].values) sum += v; got += m.ops[0].values.length; if (got >= n) resolve(); }; w.postMessage({ n, mode }); });
    } else {
      w.postMessage({ sab, n, mode });
      let r = 0;
      while (r < n) {
        const written = Atomics.load(ctl, 0);
        if (written === r) { const res = Atomics.waitAsync(ctl, 0, r); if (res.async) await res.value; continue; }
        for (let k = r; k < written; k++) sum += data[k % SLOTS];
        r = written; Atomics.store(ctl, 1, r); Atomics.notify(ctl, 1);
      }
    }
    const s = (performance.now() - t) / 1000;
    console.log(`${runtime} raw thread→main ${mode}: ${(n / s / 1e6).toFixed(2)}M items/s (sum ok: ${sum === (n * (n - 1)) / 2})`);
  }
  w.terminate();
}
