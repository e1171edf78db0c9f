// The Node peers weft is measured against, behind one small interface:
// { name, run(value) → Promise, close() }.
import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import workerpool from "workerpool";

const here = (file) => new URL(`./${file}`, import.meta.url);

export async function makePeer(name, size) {
  switch (name) {
    case "piscina": {
      const pool = new Piscina({ filename: here("piscina-worker.mjs").href, minThreads: size, maxThreads: size });
      return { name, run: (v) => pool.run(v), close: () => pool.destroy() };
    }
    case "tinypool": {
      const pool = new Tinypool({ filename: here("piscina-worker.mjs").href, minThreads: size, maxThreads: size });
      return { name, run: (v) => pool.run(v), close: () => pool.destroy() };
    }
    case "workerpool":
    case "workerpool (process)": {
      const pool = workerpool.pool(here("workerpool-worker.cjs").pathname, {
        minWorkers: size,
        maxWorkers: size,
        workerType: name === "workerpool" ? "thread" : "process",
      });
      return { name, run: (v) => pool.exec("echo", [v]), close: () => pool.terminate() };
    }
    default:
      throw new Error(`unknown peer ${name}`);
  }
}
