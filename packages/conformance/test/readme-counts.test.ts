/** The repository README says how many cases a full run has per column: the suite's own count. */
import { readFileSync } from "node:fs";
import { adapter } from "@weft/node";
import { expect, test } from "vitest";
import { conformanceTests, declaredSkips, remotePoolLacks } from "../src/index.js";

test("the README's case counts per column are the suite's", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const tests = conformanceTests({ adapter, host: {}, scale: "quick" });
  const count = (kind: string) => tests.filter((t) => t.kind === kind).length;
  expect(readme).toContain(`a full run has ${count("thread")} cases in each thread column and ${count("process")} in each process column`);
});

test("the README's cluster column counts are the suite's: the process column's cases, less the declared skips of a remote pool", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const cases = conformanceTests({ adapter, host: {}, scale: "quick", kinds: ["process"], label: "cluster", lacks: remotePoolLacks }).length;
  const skips = declaredSkips({ kinds: ["process"], lacks: remotePoolLacks }).length;
  expect(readme).toContain(`the cluster column (ClusterPool over process-kind nodes) has ${cases} cases, ${skips} of them declared skips`);
});
