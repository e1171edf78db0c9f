// The shared conformance cases, run on ClusterPool: the column node/cluster. The same case bodies
// as every local column (no copies here): the harness makes each case's pool a ClusterPool on a
// queue of its own, served by real `weft-cluster worker` processes started for that pool with the
// case's pool options (a node per worker slot pair, so a pool of size 2 spans two nodes), and
// stopped when the pool is closed. What a remote pool lacks is @weft/conformance's
// remotePoolLacks: a case that needs it is a declared skip, printed with the reason.
// Results go to results/conformance-cluster.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, test } from "vitest";
import { ResultLog, conformanceTests, hostFromKill, remotePoolLacks } from "@weft/conformance";
import { Pool, adapter, type PoolOptions } from "weftjs";
import { ClusterPool, type ClusterPoolOptions } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { conformanceFixtures, startNode, stopNodes, type NodeProcess } from "./support/cluster.js";

const log = new ResultLog("node");
let redis: RedisServer;
/** Every node started, so that none outlives the run whatever a case left open. */
const started: Promise<NodeProcess | undefined>[] = [];
let pools = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await stopNodes((await Promise.all(started)).filter((node): node is NodeProcess => node !== undefined));
  await redis?.stop();
  const dir = new URL("../../../results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("conformance-cluster.json", dir), JSON.stringify(log.toJSON(), null, 2));
});

/** The fixture modules beside the suite's tasks.js, served by every node under their base names (as ClusterPool names a module URL). */
const MODULES = ["tasks", "thenable", "does-not-exist"].flatMap((name) => ["--module", `${name}=${join(dirname(conformanceFixtures), `${name}.js`)}`]);

/** A local pool's options that a node takes (--pool-options) rather than the client. */
const NODE_POOL_KEYS = ["maxTasksPerWorker", "idleTimeout", "abortGrace", "spinWait", "initializer", "initargs", "teardown"] as const;

/** Node sizes for a pool of `size` slots: one node for one slot, else two nodes sharing them. */
const nodeSizes = (size: number) => (size === 1 ? [1] : [Math.ceil(size / 2), Math.floor(size / 2)]);

/**
 * A ClusterPool on a queue of its own, with nodes started for it; closing or terminating it
 * stops them (a local pool's workers end with it, and the cases count on fresh workers).
 */
class CasePool extends ClusterPool<never> {
  #nodes: Promise<(NodeProcess | undefined)[]> = Promise.resolve([]);
  #closing: Promise<void> | undefined;

  /** The nodes serving this pool's queue, as they start. */
  serve(nodes: Promise<(NodeProcess | undefined)[]>): void {
    this.#nodes = nodes;
    // A node that could not start leaves the pool with nobody to run its jobs: end it, loudly.
    void nodes.then((list) => {
      if (list.includes(undefined)) void this.terminate();
    });
  }

  override close(): Promise<void> {
    return (this.#closing ??= super.close().finally(() => this.#stop()));
  }

  override async terminate(): Promise<void> {
    await super.terminate();
    await this.close();
  }

  override [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #stop(): Promise<void> {
    await stopNodes((await this.#nodes).filter((node): node is NodeProcess => node !== undefined));
  }
}

function clusterPool(options: PoolOptions): Pool<never> {
  const { adapter: _adapter, kind, module, size, taskTimeout, captureCallerStack, workerOptions, ...rest } = options as PoolOptions & Record<string, unknown>;
  const nodeOptions: Record<string, unknown> = {};
  const clientRest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if ((NODE_POOL_KEYS as readonly string[]).includes(key)) nodeOptions[key] = value;
    else clientRest[key] = value;
  }
  // The node checks its local pool's options as it starts, with weft's own Pool; the same check
  // here gives the case its InvalidArgumentError at once, as a local pool's constructor does.
  void new Pool({ adapter, kind, ...(module !== undefined ? { module } : {}), ...(size !== undefined ? { size } : {}), ...(workerOptions ? { workerOptions } : {}), ...nodeOptions }).close();
  if (typeof nodeOptions.initializer === "function") throw new TypeError("an inline initializer cannot be sent to a node (the case should not ask for one where inline-functions is lacking)");
  const queue = `weft-conformance-${++pools}`;
  const slots = typeof size === "number" && Number.isInteger(size) && size > 0 ? size : adapter.cpuCount();
  const client = {
    redis: redis.url, queue, module: module as never, size: slots,
    ...(taskTimeout !== undefined ? { taskTimeout } : {}),
    ...(captureCallerStack !== undefined ? { captureCallerStack } : {}),
    ...clientRest,
  } as ClusterPoolOptions;
  // The client checks its own options first: a bad one starts no node.
  const pool = new CasePool(client);
  const nodes = Promise.all(nodeSizes(slots).map((nodeSize, i) => {
    const node = startNode({
      redis: redis.url, name: `${queue}-${i}`, queue, kind: kind ?? "process", size: nodeSize, grace: 2000,
      args: [
        ...MODULES,
        ...(Object.keys(nodeOptions).length ? ["--pool-options", JSON.stringify(nodeOptions)] : []),
        ...(workerOptions ? ["--worker-options", JSON.stringify(workerOptions)] : []),
      ],
    }).catch((error: unknown) => {
      console.error(`a node for ${queue} did not start: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    started.push(node);
    return node;
  }));
  pool.serve(nodes);
  return pool as unknown as Pool<never>;
}

for (const conformance of conformanceTests({
  adapter,
  kinds: ["process"],
  label: "cluster",
  host: hostFromKill(process.kill.bind(process)),
  createPool: clusterPool,
  lacks: remotePoolLacks,
}, log)) {
  // Each pool starts its own nodes, and jobs cross Redis: on a loaded machine a case takes longer than on a local pool.
  const timeout = conformance.timeoutMs * 2;
  test(conformance.title, async (context) => {
    const { skipped } = await conformance.run();
    if (skipped) {
      console.log(`SKIP ${conformance.title}: ${skipped}`);
      context.skip(skipped);
    }
  }, timeout);
}
