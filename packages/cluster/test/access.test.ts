// Who may do what, as the README writes it down: the ACL users of its "Who can do what" section,
// created on a real redis-server with exactly its rules, carry a node and a client through all
// their work with nothing refused; a user without them fails at the start with
// RedisUnavailableError naming Redis's NOPERM; and a node reaches a TLS Redis that asks for
// client certificates through --tls-ca, --tls-cert and --tls-key.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Redis } from "ioredis";
import { ClusterPool, RedisUnavailableError } from "../src/index.js";
import { UsageError, parseWorkerArgs } from "../src/cli-args.js";
import { startRedisServer, type RedisServer } from "../src/testing/redis-server.js";
import { packageDir, processScope, rejection, runCli, startNode, within } from "./support/cluster.js";

type NodeTasks = typeof import("./fixtures/node-tasks.mjs");

const scope = processScope("access");
const { cleanups } = scope;

const BOUND_MS = 30_000;

/** The rules of each `ACL SETUSER <user> on >password <rules…>` line of the README. */
function readmeRules(): Record<string, string> {
  const readme = readFileSync(join(packageDir, "README.md"), "utf8");
  const rules: Record<string, string> = {};
  for (const match of readme.matchAll(/^ACL SETUSER (\S+) on >\S+ (.+)$/gm)) rules[match[1]!] = match[2]!;
  return rules;
}

/** Runs scripts/acl-commands.mjs with these rules; resolves with its report. */
async function runWork(nodeRules: string, clientRules: string): Promise<{ steps: Record<string, any>; refused: unknown[] }> {
  const child = spawn(process.execPath, [join(packageDir, "scripts/acl-commands.mjs"), `--node-rules=${nodeRules}`, `--client-rules=${clientRules}`], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => void child.kill("SIGKILL"));
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  await within(new Promise((resolve) => child.on("exit", resolve)), 120_000, "the ACL work ends");
  const line = /^ACL (.*)$/m.exec(output)?.[1];
  if (line === undefined) throw new Error(`no ACL report in:\n${output}`);
  return JSON.parse(line);
}

describe("the README's ACL", () => {
  const rules = readmeRules();

  test("the README gives a rule line for a node and for a client", () => {
    expect(Object.keys(rules).sort()).toEqual(["weft-client", "weft-node"]);
    for (const line of Object.values(rules)) expect(line).toMatch(/^resetkeys ~bull:\* resetchannels &bull:\* -@all( \+\S+)+$/);
  });

  for (const [form, narrow] of [["~bull:* &bull:*", (text: string) => text], ["one queue, ~bull:weft-acl:* &bull:weft-acl:*", (text: string) => text.replaceAll("bull:*", "bull:weft-acl:*")]] as const) {
    test(`a node and a client held to exactly those rules (${form}) do all their work, and Redis refuses nothing`, async () => {
      const { steps, refused } = await runWork(narrow(rules["weft-node"]!), narrow(rules["weft-client"]!));
      expect(refused).toEqual([]);
      expect(steps).toEqual({
        apply: { value: 3 },
        map: { value: [2, 4, 6, 8] },
        imap: { value: [2, 4, 6] },
        error: { error: "Error" },
        timeout: { error: "TimeoutError" },
        nodeCount: { value: 1 },
        cancelRunning: { error: "AbortError" },
        cancelQueued: { error: "AbortError" },
        lost: { error: "JobLostError" },
        recovered: { value: { id: "recovered", node: "b" } },
        terminated: ["PoolClosedError"],
        nodeExit: 0,
      });
    }, 180_000);
  }

  describe("a user without them", () => {
    let redis: RedisServer;
    let admin: Redis;

    beforeAll(async () => {
      redis = await startRedisServer();
      admin = new Redis(redis.url);
      // The client's and the node's commands, but keys and channels elsewhere; and a user with no rights at all.
      const commands = (rule: string) => rule.split(" ").filter((word) => word.startsWith("+")).join(" ");
      await admin.acl("SETUSER", "elsewhere", "on", ">pw", "~other:*", "&other:*", ...`${commands(rules["weft-node"]!)} ${commands(rules["weft-client"]!)}`.split(" "));
      await admin.acl("SETUSER", "nothing", "on", ">pw");
    });

    afterAll(async () => {
      admin?.disconnect();
      await redis?.stop();
    });

    for (const user of ["elsewhere", "nothing"]) {
      test(`a client as "${user}": ready() and its task reject with RedisUnavailableError naming the NOPERM, at once, not after connectTimeout`, async () => {
        const pool = new ClusterPool<NodeTasks>({ redis: `redis://${user}:pw@127.0.0.1:${redis.port}`, module: "node", connectTimeout: 60_000 });
        cleanups.push(() => pool.terminate());
        const task = pool.apply("noop", []);
        const error = await within(rejection(pool.ready()), BOUND_MS, "ready() rejects");
        expect(error).toBeInstanceOf(RedisUnavailableError);
        expect(error.message).toMatch(new RegExp(`^The cluster client was refused by Redis at redis://127\\.0\\.0\\.1:${redis.port}: NOPERM .*Who can do what`));
        expect(String(error.cause?.message)).toMatch(/NOPERM|EXECABORT/);
        const failed = await within(rejection(task), BOUND_MS, "the task rejects");
        expect(failed).toBeInstanceOf(RedisUnavailableError);
        expect(failed.message).toContain("NOPERM");
        await within(pool.terminate(), BOUND_MS, "terminate() returns");
      });

      test(`a node as "${user}" says so on stderr and exits 1`, async () => {
        const { code, output } = await within(runCli(["--redis", `redis://${user}:pw@127.0.0.1:${redis.port}`, "--connect-timeout", "60000"], cleanups).exited, BOUND_MS, "the node exits");
        expect(code).toBe(1);
        expect(output).toMatch(/\[stderr\] weft-cluster: RedisUnavailableError: Worker node \S+ was refused by Redis at redis:\/\/127\.0\.0\.1:\d+: NOPERM /);
      });
    }
  });

  describe("a client user missing one command of the list, found only once it runs", () => {
    let redis: RedisServer;
    let admin: Redis;

    beforeAll(async () => {
      redis = await startRedisServer();
      admin = new Redis(redis.url);
      const without = (rule: string, command: string) => rule.split(" ").filter((word) => word !== `+${command}`);
      await admin.acl("SETUSER", "no-xread", "on", ">pw", ...without(rules["weft-client"]!, "xread"));
      await admin.acl("SETUSER", "no-exists", "on", ">pw", ...without(rules["weft-client"]!, "exists"));
    });

    afterAll(async () => {
      admin?.disconnect();
      await redis?.stop();
    });

    // Without XREAD no result can arrive (each task would wait for ever); without EXISTS, BullMQ's
    // add script is refused. The pool gives up in both, naming the refusal.
    for (const user of ["no-xread", "no-exists"]) {
      test(`as "${user}": a submitted task rejects with RedisUnavailableError naming the NOPERM, later ones at once, and terminate() returns`, async () => {
        const pool = new ClusterPool<NodeTasks>({ redis: `redis://${user}:pw@127.0.0.1:${redis.port}`, module: "node", connectTimeout: 60_000, reconcileInterval: 200 });
        cleanups.push(() => pool.terminate());
        const task = pool.apply("noop", []);
        const failed = await within(rejection(task), BOUND_MS, "the task rejects");
        expect(failed, String(failed?.message)).toBeInstanceOf(RedisUnavailableError);
        expect(failed.message).toMatch(/refused by Redis while running: (NOPERM|ERR The user executing the script can't run).*Who can do what/);
        await expect(pool.apply("noop", [])).rejects.toBeInstanceOf(RedisUnavailableError);
        await within(pool.terminate(), BOUND_MS, "terminate() returns");
      });
    }
  });
});

describe("TLS with client certificates", () => {
  const openssl = spawnSync("openssl", ["version"]).status === 0;
  let redis: RedisServer | undefined;
  const file = (name: string) => join(scope.scratch, name);

  beforeAll(async () => {
    if (!openssl) return;
    // A CA, the server's certificate and a client's, both signed by it.
    const run = (args: string[]) => {
      const made = spawnSync("openssl", args, { encoding: "utf8" });
      if (made.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${made.stderr}`);
    };
    run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=weft-test-ca", "-keyout", file("ca.key"), "-out", file("ca.crt")]);
    for (const [name, extension] of [["server", "subjectAltName=IP:127.0.0.1"], ["client", "extendedKeyUsage=clientAuth"]] as const) {
      run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=weft-test-${name}`, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`)]);
      run(["x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", writeExtension(name, extension), "-out", file(`${name}.crt`)]);
    }
    redis = await startRedisServer({ tls: { certFile: file("server.crt"), keyFile: file("server.key"), clientCaFile: file("ca.crt") } });
  });

  /** openssl x509 -extfile wants a file. */
  function writeExtension(name: string, text: string): string {
    const path = file(`${name}.ext`);
    spawnSync("sh", ["-c", `printf '%s\\n' "$1" > "$2"`, "sh", text, path]);
    return path;
  }

  afterAll(async () => redis?.stop());

  test("a node started with --tls-ca, --tls-cert and --tls-key serves a client that passes the same as ioredis options", async (context) => {
    if (!openssl) context.skip("openssl is not installed: no test certificates can be made");
    scope.nodes = [await startNode({ redis: redis!.tlsUrl!, name: "tls", queue: "weft-tls", args: ["--tls-ca", file("ca.crt"), "--tls-cert", file("client.crt"), "--tls-key", file("client.key")] })];
    const tls = { ca: readFileSync(file("ca.crt")), cert: readFileSync(file("client.crt")), key: readFileSync(file("client.key")) };
    await using pool = new ClusterPool<NodeTasks>({ redis: { host: "127.0.0.1", port: Number(new URL(redis!.tlsUrl!).port), tls }, module: "node", queue: "weft-tls" });
    expect(await within(pool.apply("nodeName", []), BOUND_MS, "a task over TLS")).toBe("tls");
  });

  test("without its client certificate, or without the CA, a node exits 1 with RedisUnavailableError", async (context) => {
    if (!openssl) context.skip("openssl is not installed: no test certificates can be made");
    const noCert = await within(runCli(["--redis", redis!.tlsUrl!, "--tls-ca", file("ca.crt"), "--connect-timeout", "2000"], cleanups).exited, BOUND_MS, "the node without a certificate exits");
    expect(noCert.code).toBe(1);
    expect(noCert.output).toMatch(/\[stderr\] weft-cluster: RedisUnavailableError: Worker node \S+ could not reach Redis at rediss:\/\/127\.0\.0\.1:\d+ within 2000 ms/);
    const noCa = await within(runCli(["--redis", redis!.tlsUrl!, "--tls-cert", file("client.crt"), "--tls-key", file("client.key"), "--connect-timeout", "2000"], cleanups).exited, BOUND_MS, "the node without the CA exits");
    expect(noCa.code).toBe(1);
    expect(noCa.output).toMatch(/\[stderr\] weft-cluster: RedisUnavailableError: .*(self[- ]signed|certificate)/i);
  });

  test("the TLS flags are checked: a rediss:// URL, a certificate with its key, files that can be read", () => {
    const base = ["--module", "./tasks.js"];
    expect(() => parseWorkerArgs([...base, "--redis", "redis://127.0.0.1:6379", "--tls-ca", "ca.crt"])).toThrow(/need a rediss:\/\/ URL/);
    expect(() => parseWorkerArgs([...base, "--redis", "rediss://127.0.0.1:6379", "--tls-cert", "c.crt"])).toThrow(/--tls-cert and --tls-key go together/);
    expect(() => parseWorkerArgs([...base, "--redis", "rediss://127.0.0.1:6379", "--tls-ca", join(scope.scratch, "missing.crt")])).toThrow(UsageError);
    expect(() => parseWorkerArgs([...base, "--redis", "rediss://127.0.0.1:6379", "--tls-ca", join(scope.scratch, "missing.crt")])).toThrow(/--tls-ca ".*missing\.crt" cannot be read/);
    if (!openssl) return;
    const options = parseWorkerArgs([...base, "--redis", "rediss://u@127.0.0.1:6380", "--tls-ca", file("ca.crt"), "--tls-cert", file("client.crt"), "--tls-key", file("client.key")], { WEFT_REDIS_PASSWORD: "pw" });
    expect(options.redis).toMatchObject({ host: "127.0.0.1", port: 6380, username: "u", password: "pw", tls: { ca: readFileSync(file("ca.crt")), cert: readFileSync(file("client.crt")), key: readFileSync(file("client.key")) } });
  });
});
