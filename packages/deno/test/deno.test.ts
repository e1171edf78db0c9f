/**
 * Deno-only behaviour the conformance suite does not cover: least-privilege permissions, a
 * denied access that rejects only its task, no orphan processes, idle pools that let Deno exit,
 * a task's stdout that cannot corrupt a process worker's frames, and which transport a process
 * worker's frames take (a Unix socket or its stdout).
 */
import assert from "node:assert/strict";
import { Pool, type DenoRuntimeOptions } from "@weft/deno";
import { withTimeout } from "./support.ts";

const MODULE = new URL("./fixtures/deno-tasks.js", import.meta.url);
const ALLOWED = new URL("./fixtures/allowed.txt", import.meta.url);
const OUTSIDE = new URL("./deno.test.ts", import.meta.url);
const KINDS = ["thread", "process"] as const;

function pool(kind: "thread" | "process", runtimeOptions?: DenoRuntimeOptions) {
  return new Pool<typeof import("./fixtures/deno-tasks.js")>({
    kind,
    size: 1,
    module: MODULE,
    ...(runtimeOptions ? { workerOptions: { runtimeOptions: runtimeOptions as Record<string, unknown> } } : {}),
  });
}

function startedWorkers(p: Pool<never> | Pool<typeof import("./fixtures/deno-tasks.js")>): { count: number } {
  const seen = { count: 0 };
  p.addEventListener("workerstart", () => seen.count++);
  return seen;
}

const options = { sanitizeOps: false, sanitizeResources: false };

for (const kind of KINDS) {
  Deno.test({
    ...options,
    name: `[deno/${kind}] permissions: a denied read rejects that task; the pool keeps serving on the same worker`,
    async fn() {
      await using p = pool(kind, { permissions: { read: [ALLOWED] } });
      const workers = startedWorkers(p);
      assert.equal((await p.apply("readText", [ALLOWED.pathname])).trim(), "allowed content");
      await assert.rejects(p.apply("readText", [OUTSIDE.pathname]), (error: Error) => {
        assert.equal(error.name, "NotCapable");
        assert.match(error.message, /read access/);
        return true;
      });
      assert.equal(await p.apply("echo", ["still serving"]), "still serving");
      assert.equal(workers.count, 1, "the worker was not replaced");
    },
  });

  Deno.test({
    ...options,
    name: `[deno/${kind}] permissions: by default a worker gets none, yet loads its task module`,
    async fn() {
      await using p = pool(kind);
      assert.equal(await p.apply("echo", [1]), 1, "the task module loaded without read permission");
      await assert.rejects(p.apply("readText", [ALLOWED.pathname]), { name: "NotCapable" });
      await assert.rejects(p.apply("readEnv", ["HOME"]), { name: "NotCapable" });
    },
  });

  Deno.test({
    ...options,
    name: `[deno/${kind}] permissions: a worker cannot get what this process lacks; bad options are named`,
    async fn() {
      // The test runs without --allow-ffi (see scripts/test.mjs).
      const foldersBefore = socketFolders();
      const escalating = pool(kind, { permissions: { ffi: true } });
      await assert.rejects(escalating.apply("echo", [1]), (error: Error) => {
        assert.equal(error.name, "WorkerStartError");
        assert.equal((error.cause as Error).name, "NotCapable");
        return true;
      });
      await escalating.close();
      assert.deepEqual(socketFoldersSince(foldersBefore), [], "a refused start left no socket folder behind");
      const misspelt = pool(kind, { permissions: { raed: true } } as never);
      await assert.rejects(misspelt.apply("echo", [1]), (error: Error) => /Unknown Deno permission "raed"/.test((error.cause as Error).message));
      await misspelt.close();
      const unknownTransport = pool(kind, { transport: "tcp" } as never);
      await assert.rejects(unknownTransport.apply("echo", [1]), (error: Error) => {
        assert.equal((error.cause as Error).name, "InvalidArgumentError");
        assert.match((error.cause as Error).message, /runtimeOptions\.transport must be "auto", "pipe", "socket"; got "tcp"/);
        return true;
      });
      await unknownTransport.close();
    },
  });
}

for (const transport of ["pipe", "socket"] as const) {
  Deno.test({
    ...options,
    name: `[deno/process] transport ${transport}: a task's stdout never corrupts the frames`,
    async fn() {
      await using p = pool("process", { transport });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? p.apply("chatty", [50]) : p.apply("echo", [i]))));
      assert.deepEqual(results, Array.from({ length: 20 }, (_, i) => (i % 2 ? 50 : i)));
    },
  });
}

/** The main module a `deno run` child was started with, decoded (its bootstrap is a base64 data: URL). */
async function workerBootstrap(pid: number): Promise<string> {
  const { stdout } = await new Deno.Command("cat", { args: [`/proc/${pid}/cmdline`], stdout: "piped", stderr: "null" }).output();
  const args = new TextDecoder().decode(stdout).split("\0");
  const module = args.find((arg) => arg.startsWith("data:text/javascript;base64,"));
  assert.ok(module, `worker ${pid} was started with a bootstrap module: ${args.join(" ")}`);
  return atob(module.slice("data:text/javascript;base64,".length));
}

/** The temporary folder the frame sockets' folders are made in. */
function socketFolderParent(): string {
  const tmp = Deno.makeTempDirSync();
  Deno.removeSync(tmp);
  return tmp.slice(0, tmp.lastIndexOf("/"));
}

/** The folders the frame sockets live in: none may stay behind. */
function socketFolders(): string[] {
  return [...Deno.readDirSync(socketFolderParent())].filter((entry) => entry.name.startsWith("weft-")).map((entry) => entry.name);
}

/** The socket folders present now that were not in `before`. */
function socketFoldersSince(before: readonly string[]): string[] {
  return socketFolders().filter((name) => !before.includes(name));
}

Deno.test({
  ...options,
  ignore: Deno.build.os !== "linux",
  name: "[deno/process] transport auto: a host with read, write and net sends over a socket its workers alone may use, and leaves no folder behind",
  async fn() {
    const before = socketFolders();
    const pools = [pool("process"), pool("process", { transport: "pipe" }), pool("process", { permissions: { read: [ALLOWED] } })];
    try {
      const [auto, piped, reading] = await Promise.all(pools.map((p) => p.apply("pid", [])));
      assert.match(await workerBootstrap(auto), /weft\.deno\.framesSocket"\)\] = \{"path":"[^"]+\/frames\.sock","parent":\d+\}/, "auto chose the socket");
      assert.doesNotMatch(await workerBootstrap(piped), /framesSocket/, "pipe kept to stdout");
      assert.match(await workerBootstrap(reading), /framesSocket/);
      // The worker's permissions reach the socket's path, nothing else.
      await assert.rejects(pools[0]!.apply("readText", [ALLOWED.pathname]), { name: "NotCapable" });
      await assert.rejects(pools[0]!.apply("connectTo", ["/tmp/weft-elsewhere.sock"]), { name: "NotCapable" });
      assert.equal((await pools[2]!.apply("readText", [ALLOWED.pathname])).trim(), "allowed content", "a read list keeps its paths");
      assert.deepEqual(socketFoldersSince(before), [], "each folder went once its worker connected");
    } finally {
      for (const p of pools) await p.close();
    }
  },
});

Deno.test({
  ...options,
  name: "[deno/process] transport socket where this process may not open one fails the start, naming why; auto falls back to pipes",
  async fn() {
    // A host with read and run only (see denoRun).
    const { status, text } = await withTimeout(denoRun(new URL("./fixtures/transports.ts", import.meta.url)), 30_000, "transports");
    assert.equal(status.code, 0, text);
    assert.match(text, /auto echo 1/);
    assert.match(text, /socket WorkerStartError NotCapable runtimeOptions\.transport is "socket", but this process lacks --allow-write, --allow-net/);
  },
});

Deno.test({
  ...options,
  ignore: Deno.build.os !== "linux",
  name: "[deno/process] transport auto: a host that exits while its workers start leaves no socket folder behind",
  async fn() {
    const before = socketFolders();
    const { status, text } = await withTimeout(
      denoRun(new URL("./fixtures/exit-while-starting.ts", import.meta.url), undefined, [], undefined, ["--allow-write", "--allow-net"]),
      20_000,
      "exit while starting",
    );
    assert.equal(status.code, 0, text);
    assert.match(text, /exiting/);
    assert.deepEqual(socketFoldersSince(before), [], "the exiting host closed the sockets its workers had not reached");
  },
});

Deno.test({
  ...options,
  ignore: Deno.build.os !== "linux",
  name: "[deno/process] transport auto: a host killed with SIGKILL while its live pool starts workers leaves no socket behind, at most empty folders",
  async fn() {
    // The host's temporary folder is this test's own, so that other Deno hosts on the machine
    // (their sockets waiting for a worker) cannot be mistaken for this one's.
    const tmp = Deno.makeTempDirSync({ prefix: "weft-test-killed-" });
    const socketsIn = () => [...Deno.readDirSync(tmp)].flatMap((folder) => [...Deno.readDirSync(`${tmp}/${folder.name}`)].map((file) => `${folder.name}/${file.name}`));
    let host: Deno.ChildProcess | undefined;
    try {
      const run = denoRun(new URL("./fixtures/killed-while-replacing.ts", import.meta.url), undefined, [], (child) => (host = child), ["--allow-write", "--allow-net"], { TMPDIR: tmp });
      // Killed while a replacement's socket waits for it: the window a kill used to leave a socket in.
      const waitingAtKill = await withTimeout(
        (async () => {
          for (;;) {
            const sockets = socketsIn();
            if (sockets.length > 0) {
              host!.kill("SIGKILL");
              return sockets;
            }
            await new Promise((r) => setTimeout(r, 5));
          }
        })(),
        60_000,
        "a worker of the host starting",
      );
      const { status, text } = await run;
      assert.equal(status.signal, "SIGKILL", text);
      assert.ok(waitingAtKill.length > 0);
      // Each worker that was starting removes its socket once it has connected, or found nobody
      // listening: within a worker's start (generous bounds for a loaded machine).
      const deadline = Date.now() + 15_000;
      while (socketsIn().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(socketsIn(), [], `the killed host's folders hold nothing (sockets waiting when it was killed: ${waitingAtKill.join(", ")})`);
    } finally {
      try {
        host?.kill("SIGKILL");
      } catch {
        // already gone
      }
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});

Deno.test({
  ...options,
  name: "[deno/process] transport socket: results far bigger than the socket buffers arrive whole, in order",
  async fn() {
    await using p = pool("process", { transport: "socket" });
    const sizes = [300_000, 1, 150_000, 0, 600_000];
    const results = await Promise.all(sizes.map((size) => p.apply("bigResult", [size])));
    assert.deepEqual(results.map((r) => r.length), sizes);
    for (const result of results) assert.ok(result.every((value, i) => value === i));
  },
});

for (const transport of ["pipe", "socket"] as const) {
  Deno.test({
    ...options,
    name: `[deno/process] transport ${transport}: results sent before a task that never yields reach the parent before it, so its timeout holds`,
    async fn() {
      // The host starts a task's run timeout when the answer before it arrives: answers stuck
      // behind the busy task would let it run past its timeout and fulfil.
      await using p = pool("process", { transport });
      for (let round = 0; round < 3; round++) {
        const echoes = Array.from({ length: 50 }, (_, i) => p.apply("echo", [i]));
        const spinning = p.apply("spin", [1500], { timeout: 200 });
        assert.deepEqual(await Promise.all(echoes), Array.from({ length: 50 }, (_, i) => i));
        await assert.rejects(spinning, { name: "TimeoutError" });
      }
    },
  });
}

/** Runs a script with read and run permission (a host that may not open a frame socket), or with `flags` added. */
async function denoRun(
  script: URL,
  onLine?: (line: string, child: Deno.ChildProcess) => void,
  scriptArgs: string[] = [],
  onSpawn?: (child: Deno.ChildProcess) => void,
  flags: string[] = [],
  env: Record<string, string> = {},
) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-read", `--allow-run=${Deno.execPath()}`, "--unstable-worker-options", ...flags, script.href, ...scriptArgs],
    env,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  onSpawn?.(child);
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    text += decoder.decode(chunk);
    onLine?.(text, child);
  }
  return { status: await child.status, text };
}

Deno.test({
  ...options,
  name: "[deno/process] a worker process exits when its parent is killed (no orphans)",
  async fn() {
    let pid: number | undefined;
    await withTimeout(
      denoRun(new URL("./fixtures/orphan-parent.ts", import.meta.url), (text, child) => {
        const match = /PID (\d+)/.exec(text);
        if (match && pid === undefined) {
          pid = Number(match[1]);
          child.kill("SIGKILL");
        }
      }),
      20_000,
      "orphan parent",
    );
    assert.ok(pid, "the parent printed its worker's pid");
    const deadline = Date.now() + 5000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try {
        Deno.kill(pid!, 0 as unknown as Deno.Signal);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, `worker ${pid} outlived its killed parent`);
  },
});

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system, in clock ticks) a process has used; Linux /proc, read with cat (Deno reads /proc only with --allow-all). */
async function cpuTicks(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`], stdout: "piped", stderr: "null" }).output();
  const fields = new TextDecoder().decode(stdout).replace(/^.*\) /, "").split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

// Workers busy in a loop never turn their event loop, so they never read the closed stdin: only a
// watchdog beside the busy thread can see that the host died.
for (const mode of ["Pool", "Pool with a run timeout", "Process"]) {
  Deno.test({
    ...options,
    ignore: Deno.build.os !== "linux",
    name: `[deno/process] a host killed with SIGKILL while its ${mode} workers are CPU-bound leaves no orphan process`,
    async fn() {
      let pids: number[] = [];
      let host: Deno.ChildProcess | undefined;
      const run = denoRun(
        new URL("./fixtures/busy-parent.ts", import.meta.url),
        (text) => {
          const match = /PIDS (\[[^\]]*\])/.exec(text);
          if (match && pids.length === 0) pids = JSON.parse(match[1]!);
        },
        [mode],
        (child) => (host = child),
      );
      try {
        await withTimeout(
          (async () => {
            while (pids.length === 0) await new Promise((r) => setTimeout(r, 50));
            // Busy in the task, not idle: each has used another second of CPU.
            const start = await Promise.all(pids.map(cpuTicks));
            for (;;) {
              const now = await Promise.all(pids.map(cpuTicks));
              if (now.every((ticks, i) => ticks - start[i]! >= 100)) break;
              await new Promise((r) => setTimeout(r, 100));
            }
          })(),
          40_000,
          "busy workers",
        );
        host!.kill("SIGKILL");
        await run;
        // About a second by design (the watchdog looks every 200 ms); generous for a loaded machine.
        const deadline = Date.now() + 15_000;
        while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(pids.filter(isAlive), [], "worker processes outlived their killed host");
      } finally {
        for (const pid of pids) if (isAlive(pid)) Deno.kill(pid, "SIGKILL");
        try {
          host?.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  });
}

/** This process's open file descriptors (Linux), listed with ls: Deno reads /proc only with --allow-all. */
async function openFds(): Promise<number> {
  const { stdout } = await new Deno.Command("ls", { args: [`/proc/${Deno.pid}/fd`], stdout: "piped", stderr: "null" }).output();
  return new TextDecoder().decode(stdout).split("\n").filter(Boolean).length;
}

// Closing a pool releases every pipe and handle it opened (process pools once kept one pipe per worker).
for (const kind of KINDS) {
  Deno.test({
    ...options,
    ignore: Deno.build.os !== "linux",
    name: `[deno/${kind}] 40 pools opened and closed release what they opened`,
    async fn() {
      const cycle = async () => {
        const p = pool(kind);
        assert.equal(await p.apply("echo", [1]), 1);
        await p.close();
      };
      await cycle(); // warm-up: what the runtime opens once
      const before = await openFds();
      for (let i = 0; i < 40; i++) await cycle();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await openFds();
      // A few descriptors the runtime may open once, lazily; not one per pool.
      assert.ok(after - before <= 5, `open descriptors went from ${before} to ${after} over 40 pools`);
    },
  });
}

Deno.test({
  ...options,
  name: "[deno/thread] a spinning thread timed out or terminated is counted as lingering, and the host exits",
  async fn() {
    const { status, text } = await withTimeout(denoRun(new URL("./fixtures/spinning-thread-exit.ts", import.meta.url)), 60_000, "spinning threads");
    assert.match(text, /task TimeoutError/);
    assert.match(text, /next served/);
    assert.match(text, /lingering 1/);
    assert.match(text, /thread exitCode -15/);
    assert.equal(status.code, 0, `the host exited by itself: ${text}`);
  },
});

for (const [transport, flags] of [["pipe", []], ["socket", ["--allow-write", "--allow-net"]]] as const) {
  Deno.test({
    ...options,
    name: `[deno] idle workers of an open pool let Deno exit (setKeepAlive), process frames over a ${transport}`,
    async fn() {
      const { status, text } = await withTimeout(denoRun(new URL("./fixtures/idle-exit.ts", import.meta.url), undefined, [transport], undefined, [...flags]), 20_000, "idle pools");
      assert.equal(status.code, 0);
      assert.match(text, /thread done/);
      assert.match(text, /process done/);
    },
  });
}

Deno.test({
  ...options,
  name: "[deno/process] the frame reader gives the same messages and text however the bytes are chunked (generated)",
  async fn() {
    const { encodeFrame, V8_FRAMES } = await import("../src/wire.ts");
    const { FrameReader } = await import("../src/frame-reader.ts");
    let seed = 20261130;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let run = 0; run < 300; run++) {
      // Frames of every size (some far longer than a read), with printed text between them.
      const sent: unknown[] = [];
      const pieces: Uint8Array[] = [];
      let text = "";
      for (let i = 0, count = 1 + Math.floor(random() * 6); i < count; i++) {
        if (random() < 0.4) {
          const line = `printed ${run}.${i}\n`;
          text += line;
          pieces.push(new TextEncoder().encode(line));
        }
        const size = random() < 0.2 ? Math.floor(random() * 200_000) : Math.floor(random() * 50);
        const message = { id: i, items: Array.from({ length: size }, (_, k) => k * run), note: "x".repeat(Math.floor(random() * 10)) };
        sent.push(message);
        pieces.push(encodeFrame(message));
      }
      const all = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const piece of pieces) {
        all.set(piece, at);
        at += piece.length;
      }
      const received: unknown[] = [];
      let printed = "";
      const reader = new FrameReader(V8_FRAMES, (message) => received.push(message), (bytes) => (printed += new TextDecoder().decode(bytes)));
      // Read into one reused buffer, as process-entry.ts does, in random chunk sizes.
      const buffer = new Uint8Array(70_000);
      for (let from = 0; from < all.length; ) {
        const size = Math.min(all.length - from, 1 + Math.floor(random() * (random() < 0.5 ? 16 : 70_000)));
        buffer.set(all.subarray(from, from + size));
        reader.feed(buffer.subarray(0, size));
        from += size;
      }
      assert.deepEqual(received, sent, `run ${run}: every frame decoded, in order`);
      assert.equal(printed, text, `run ${run}: the text between frames passed through`);
    }
  },
});

Deno.test({
  ...options,
  name: "[deno/process] a reader whose chunks are all there at once lets a consumer take each chunk's items before it feeds the next",
  async fn() {
    // Deno resolves a read of a pipe that holds data without a turn of the event loop. A reader
    // that read on at once left a queue's consumer one item per chunk while the chunks piled up.
    const { encodeFrame, V8_FRAMES } = await import("../src/wire.ts");
    const { FrameReader, pumpFrames } = await import("../src/frame-reader.ts");
    const { multiprocessing } = await import("@weft/deno");
    const CHUNKS = 40;
    const PER_CHUNK = 500;
    const queue = new multiprocessing.Queue<number>();
    const chunks = Array.from({ length: CHUNKS }, (_, c) => encodeFrame(Array.from({ length: PER_CHUNK }, (_, i) => c * PER_CHUNK + i)));
    let taken = 0;
    const takenBeforeFeed: number[] = [];
    const consumer = (async () => {
      const items: number[] = [];
      for await (const item of queue) {
        items.push(item);
        taken++;
      }
      return items;
    })();
    let next = 0;
    const reader = new FrameReader(V8_FRAMES, (items) => {
      for (const item of items as number[]) void queue.put(item);
    }, () => undefined);
    await pumpFrames(async () => {
      takenBeforeFeed.push(taken);
      return next < CHUNKS ? chunks[next++] : undefined;
    }, reader);
    await queue.close();
    const items = await consumer;
    assert.deepEqual(items, Array.from({ length: CHUNKS * PER_CHUNK }, (_, i) => i), "every item, in order");
    // Before each read, the consumer had taken every item of the chunks fed before it.
    assert.deepEqual(takenBeforeFeed, Array.from({ length: CHUNKS + 1 }, (_, i) => i * PER_CHUNK));
  },
});
