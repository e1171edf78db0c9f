// A task module: plain, self-contained ES module, emitted by Vite as an asset via `new URL(…)`.
export function square(n) {
  return n * n;
}

export function add(a, b) {
  return a + b;
}
