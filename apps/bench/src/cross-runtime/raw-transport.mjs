// The transports weft's adapters use, measured raw (no weft in between), the same file under
// node, deno and bun: items/s worker → main and main → worker, for processes (Node: fork with
// "advanced" IPC; Bun: Bun.spawn with "advanced" IPC; Deno: V8-serialized frames over the child's
// stdin/stdout, as packages/deno/src/wire.ts) and threads (postMessage), one message per item
// ("single") and batches of 1,024 items in weft's channel message shape ("batch").
// It is the ceiling of what a channel row of the cross-runtime benchmark can reach on a runtime.
// Usage: <runtime> src/cross-runtime/raw-transport.mjs [items=100000] [reps=5] [row filter text]
//   (deno: deno run -A …)
const g = globalThis;
const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
const args = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const SELF = new URL(import.meta.url);
const BATCH = 1024;

function batchMsg(from, count) {
  const values = new Array(count);
  for (let i = 0; i < count; i++) values[i] = from + i;
  return { type: "channel", ops: [{ op: "items", channel: "q1", values }] };
}
/** Calls send for every message of n items, single or batched; returns how many messages. */
function produce(n, mode, send) {
  if (mode === "single") { for (let i = 0; i < n; i++) send({ type: "channel", ops: [{ op: "items", channel: "q1", values: [i] }] }); return; }
  for (let i = 0; i < n; i += BATCH) send(batchMsg(i, Math.min(BATCH, n - i)));
}
function itemsOf(m) { return m?.type === "channel" ? m.ops[0].values.length : 0; }

// ---- Deno's wire (same framing as packages/deno/src/wire.ts) ----
let v8;
async function denoWire() {
  v8 ??= await import("node:v8");
  const MARKER = new Uint8Array([0x1e, 0x57, 0x45, 0x46, 0x54, 0x00]);
  const encode = (m) => { const s = new v8.Serializer(); s.writeHeader(); s.writeValue(m); const p = s.releaseBuffer(); const f = new Uint8Array(10 + p.length); f.set(MARKER); new DataView(f.buffer).setUint32(6, p.length); f.set(p, 10); return f; };
  class Reader { buf = new Uint8Array(0); constructor(on) { this.on = on; }
    feed(chunk) { let b = chunk; if (this.buf.length) { b = new Uint8Array(this.buf.length + chunk.length); b.set(this.buf); b.set(chunk, this.buf.length); }
      let at = 0; while (b.length - at >= 10) { const len = new DataView(b.buffer, b.byteOffset + at + 6, 4).getUint32(0); if (b.length - at < 10 + len) break; const d = new v8.Deserializer(b.slice(at + 10, at + 10 + len)); d.readHeader(); this.on(d.readValue()); at += 10 + len; }
      this.buf = b.slice(at); } }
  return { encode, Reader };
}

// ---- child roles ----
async function childProcess(dir, n, mode) {
  if (runtime === "deno") {
    const { encode, Reader } = await denoWire();
    const write = (bytes) => { for (let w = 0; w < bytes.length; ) w += Deno.stdout.writeSync(bytes.subarray(w)); };
    if (dir === "out") { write(encode("ready")); const b = new Uint8Array(65536); await Deno.stdin.read(b); produce(n, mode, (m) => write(encode(m))); write(encode("end")); }
    else { let got = 0; const r = new Reader((m) => { got += itemsOf(m); if (got >= n) { write(encode("done")); Deno.exit(0); } }); write(encode("ready")); const b = new Uint8Array(65536); for (;;) { const k = await Deno.stdin.read(b); if (k === null) break; r.feed(b.subarray(0, k)); } }
    return;
  }
  if (dir === "out") { process.once("message", () => { produce(n, mode, (m) => process.send(m)); process.send("end"); }); process.send("ready"); }
  else { let got = 0; process.on("message", (m) => { got += itemsOf(m); if (got >= n) { process.send("done"); process.disconnect?.(); } }); process.send("ready"); }
}

async function parentProcess(dir, n, mode) {
  let start; let got = 0;
  if (runtime === "deno") {
    const { encode, Reader } = await denoWire();
    const child = new Deno.Command(Deno.execPath(), { args: ["run", "-A", SELF.href, "child-process", dir, String(n), mode], stdin: "piped", stdout: "piped" }).spawn();
    const w = child.stdin.getWriter();
    let pending = []; const send = (m) => { if (!pending.length) queueMicrotask(() => { const fr = pending; pending = []; let sz = 0; for (const f of fr) sz += f.length; const all = new Uint8Array(sz); let a = 0; for (const f of fr) { all.set(f, a); a += f.length; } w.write(all); }); pending.push(encode(m)); };
    return await new Promise((resolve) => {
      const r = new Reader((m) => {
        if (m === "ready") { start = performance.now(); if (dir === "out") send("go"); else produce(n, mode, send); return; }
        if (m === "end" || m === "done") { const s = (performance.now() - start) / 1000; child.kill("SIGKILL"); resolve(n / s); return; }
        got += itemsOf(m);
      });
      (async () => { const rd = child.stdout.getReader(); for (;;) { const { value, done } = await rd.read(); if (done) break; r.feed(value); } })();
    });
  }
  return await new Promise((resolve) => {
    let child;
    const on = (m) => {
      if (m === "ready") { start = performance.now(); if (dir === "out") child.send("go"); else produce(n, mode, (x) => child.send(x)); return; }
      if (m === "end" || m === "done") { const s = (performance.now() - start) / 1000; child.kill("SIGKILL"); resolve(n / s); return; }
      got += itemsOf(m);
    };
    if (runtime === "bun") child = Bun.spawn({ cmd: [process.execPath, SELF.pathname, "child-process", dir, String(n), mode], stdio: ["ignore", "inherit", "inherit"], serialization: "advanced", ipc: on });
    else import("node:child_process").then(({ fork }) => { child = fork(SELF.pathname, ["child-process", dir, String(n), mode], { serialization: "advanced" }); child.on("message", on); });
  });
}

async function threadPort() {
  if (runtime === "node") { const { parentPort } = await import("node:worker_threads"); return { send: (m) => parentPort.postMessage(m), on: (f) => parentPort.on("message", f) }; }
  return { send: (m) => postMessage(m), on: (f) => (self.onmessage = (e) => f(e.data)) };
}
async function childThread() {
  const port = await threadPort();
  let n, mode, dir, got = 0;
  port.on((m) => {
    if (m?.cfg) { ({ n, mode, dir } = m.cfg); if (dir === "out") { produce(n, mode, port.send); port.send("end"); } else port.send("ready"); return; }
    got += itemsOf(m); if (got >= n) port.send("done");
  });
}
async function parentThread(dir, n, mode) {
  let w;
  if (runtime === "node") { const { Worker } = await import("node:worker_threads"); w = new Worker(SELF, { argv: ["child-thread"] }); }
  else w = new Worker(SELF.href + "#thread", { type: "module" });
  const on = (f) => (runtime === "node" ? w.on("message", f) : (w.onmessage = (e) => f(e.data)));
  await new Promise((r) => setTimeout(r, 300));
  return await new Promise((resolve) => {
    let start = performance.now();
    on((m) => {
      if (m === "ready") { start = performance.now(); produce(n, mode, (x) => w.postMessage(x)); return; }
      if (m === "end" || m === "done") { const s = (performance.now() - start) / 1000; w.terminate(); resolve(n / s); }
    });
    start = performance.now();
    w.postMessage({ cfg: { n, mode, dir } });
  });
}

const isThread = runtime !== "deno" ? (await import("node:worker_threads")).isMainThread === false : typeof g.WorkerGlobalScope !== "undefined" || SELF.hash === "#thread";
if (isThread) await childThread();
else if (args[0] === "child-process") await childProcess(args[1], Number(args[2]), args[3]);
else {
  const n = Number(args[0] ?? 100000);
  const reps = Number(args[1] ?? 5);
  const only = args[2];
  for (const kind of ["process", "thread"]) for (const dir of ["out", "in"]) for (const mode of ["single", "batch"]) {
    const name = `${kind} ${dir === "out" ? "worker→main" : "main→worker"} ${mode}`;
    if (only && !name.includes(only)) continue;
    const vals = [];
    for (let r = 0; r < reps; r++) vals.push(kind === "process" ? await parentProcess(dir, n, mode) : await parentThread(dir, n, mode));
    vals.sort((a, b) => a - b);
    console.log(`${runtime} raw ${name}: median ${(vals[vals.length >> 1] / 1000).toFixed(0)}k items/s  [${vals.map((v) => (v / 1000).toFixed(0)).join(" ")}]`);
  }
  if (g.Deno) Deno.exit(0); else process.exit(0);
}
