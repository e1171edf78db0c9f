// Empties results/ before a test run, so that the counts and the matrix describe this run only.
import { mkdirSync, rmSync } from "node:fs";

const dir = new URL("../results/", import.meta.url);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
