/**
 * One tiny HTTP server API over each runtime's own server: `Deno.serve`, `Bun.serve`, or
 * `node:http`. Handlers are web-standard: `(Request) => Response`. Listens on loopback only.
 */
import { DemoError } from "./runtime.js";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const HOST = "127.0.0.1";

function portInUse(port: number): DemoError {
  return new DemoError(`port ${port} is already in use on ${HOST}: pick another with --port, or stop what is using it.`);
}

function isAddrInUse(error: unknown): boolean {
  const e = error as { code?: string; name?: string; message?: string } | null;
  return e?.code === "EADDRINUSE" || e?.name === "AddrInUse" || /address (already )?in use|EADDRINUSE/i.test(e?.message ?? "");
}

interface DenoServe {
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void; handler: Handler }): {
    addr: { port: number };
    shutdown(): Promise<void>;
  };
}
interface BunServe {
  serve(options: { port: number; hostname: string; fetch: Handler }): { port: number; stop(force?: boolean): void | Promise<void> };
}

/** Serves `handler` on 127.0.0.1:`port` (0 = any free port). A port in use is a DemoError. */
export async function serve(handler: Handler, port = 0): Promise<RunningServer> {
  const g = globalThis as { Deno?: DenoServe; Bun?: BunServe };
  if (g.Deno) {
    try {
      const server = g.Deno.serve({ port, hostname: HOST, onListen: () => {}, handler });
      const actual = server.addr.port;
      return { url: `http://${HOST}:${actual}`, port: actual, close: () => server.shutdown() };
    } catch (error) {
      if (isAddrInUse(error)) throw portInUse(port);
      throw error;
    }
  }
  if (g.Bun) {
    try {
      const server = g.Bun.serve({ port, hostname: HOST, fetch: handler });
      return { url: `http://${HOST}:${server.port}`, port: server.port, close: async () => void (await server.stop(true)) };
    } catch (error) {
      if (isAddrInUse(error)) throw portInUse(port);
      throw error;
    }
  }
  const { createServer } = await import("node:http");
  const server = createServer(async (req, res) => {
    try {
      const request = new Request(new URL(req.url ?? "/", `http://${HOST}`), { method: req.method });
      const response = await handler(request);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key] = value));
      const body = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, { ...headers, "content-length": String(body.length) });
      res.end(body);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(isAddrInUse(error) ? portInUse(port) : error));
    server.listen(port, HOST, () => resolve());
  });
  const actual = (server.address() as { port: number }).port;
  return {
    url: `http://${HOST}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
