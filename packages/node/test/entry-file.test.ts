import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { requireEntryFile } from "../src/entry-file.js";

describe("a worker entry file left behind by a bundler", () => {
  test("is reported by its path, with what to do", () => {
    const missing = pathToFileURL("/nonexistent/dist/process-entry.js");
    expect(() => requireEntryFile(missing)).toThrow(/\/nonexistent\/dist\/process-entry\.js does not exist.*dist\/process-entry\.js.*Bundled Node apps/s);
  });

  test("passes when the file is there", () => {
    expect(() => requireEntryFile(new URL(import.meta.url))).not.toThrow();
  });
});
