/**
 * The page the `--runtime browser` run opens in headless Chromium: runs the suite against
 * @weft/browser (resolved by the page's import map) and posts every event to the runner.
 */
import type { Adapter, WorkerKind } from "@weft/core";
import type { Scale } from "../harness.js";
import type { RunEvent } from "./events.js";
import { runCases } from "./run-cases.js";

interface PageConfig {
  readonly scale: Scale;
  readonly kinds?: readonly WorkerKind[];
  readonly filter: readonly string[];
  readonly bail?: boolean;
}

// Resolved by the page's import map; not a dependency of this package.
// The adapter under test is the user's install, found by the page's import map, not a dependency of this package.
const ADAPTER_PACKAGE = "@weft/browser";
const { adapter } = (await import(/* @vite-ignore */ ADAPTER_PACKAGE)) as { adapter: Adapter };

const config = JSON.parse(new URLSearchParams(location.search).get("config") ?? "{}") as PageConfig;

async function post(event: RunEvent): Promise<void> {
  await fetch("/events", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(event) });
}

await runCases({
  harness: { adapter, scale: config.scale ?? "full", host: {}, ...(config.kinds ? { kinds: config.kinds } : {}) },
  filter: config.filter ?? [],
  bail: config.bail === true,
  onEvent: post,
});
