import { Pool } from "weft";
const module = new URL("../tasks.mjs", import.meta.url);
const chunks = Array.from({ length: 8 }, () => [2_000_000, 2_040_000]);
const kind = (globalThis.Deno ? Deno.args : process.argv.slice(2))[0];
const time = async (pool) => { const s = performance.now(); await pool.starmap("countPrimes", chunks, { chunksize: 1 }); return (performance.now() - s).toFixed(0); };
const p2 = new Pool({ kind, size: 2, module });
const a = []; for (let i = 0; i < 5; i++) a.push(await time(p2));
const p1 = new Pool({ kind, size: 1, module }); await time(p1);
const b = []; for (let i = 0; i < 5; i++) b.push(await time(p2));
const c = []; for (let i = 0; i < 5; i++) { await time(p1); c.push(await time(p2)); }
console.log(kind, "pool2 alone", a.join(","), "| with idle pool1", b.join(","), "| right after pool1 ran", c.join(","));
await p1.close(); await p2.close();
