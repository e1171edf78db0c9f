import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { TaskModuleLoadError } from "../src/errors.js";

/** What Node throws for `import("file:///…/tasks.ts")` without type stripping. */
function unknownExtension(url: string): Error {
  return Object.assign(new TypeError(`Unknown file extension ".ts" for ${url.replace("file://", "")}`), { code: "ERR_UNKNOWN_FILE_EXTENSION" });
}

describe("TaskModuleLoadError says what to do", () => {
  test("a .ts task module Node cannot load: tsx, type stripping (with the versions), or compiling", () => {
    const url = "file:///app/tasks.ts";
    const error = new TaskModuleLoadError(url, unknownExtension(url));
    expect(error.message).toContain('Unknown file extension ".ts"');
    expect(error.message).toMatch(/tsx/);
    expect(error.message).toMatch(/22\.18/);
    expect(error.message).toMatch(/--experimental-strip-types/);
    expect(error.message).toMatch(/compile the task module to \.js/);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  test("the same failure of a .js module gets no TypeScript advice", () => {
    const error = new TaskModuleLoadError("file:///app/tasks.js", Object.assign(new Error("boom"), { code: "ERR_UNKNOWN_FILE_EXTENSION" }));
    expect(error.message).not.toMatch(/tsx/);
  });

  test("a task module a bundler inlined as a data: asset names @weft/vite, and the URL is cut to its head and length", () => {
    const url = `data:video/mp2t;base64,${"QUJD".repeat(300)}`;
    const error = new TaskModuleLoadError(url, new TypeError(`Failed to fetch dynamically imported module: ${url}`));
    expect(error.message).toContain("@weft/vite");
    expect(error.message).toContain("video/mp2t");
    expect(error.message).toContain(`(${url.length} characters)`);
    expect(error.message).not.toContain(url);
    expect(error.message.length).toBeLessThan(700);
    expect(error.moduleUrl).toBe(url);
  });

  test("a JavaScript data: URL is a module: no bundler advice", () => {
    const error = new TaskModuleLoadError("data:text/javascript,export%20const%20x%3D1", new SyntaxError("bad"));
    expect(error.message).not.toContain("@weft/vite");
    expect(error.message).toContain("data:text/javascript,export%20const%20x%3D1");
  });

  test("any URL: a long one never appears whole, a short one always does, and the message stays short", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 4000 }), fc.string({ maxLength: 200 }), (tail, reason) => {
        const url = `https://example.test/${tail}`;
        const error = new TaskModuleLoadError(url, new Error(`${reason} ${url} ${url}`));
        if (url.length > 120) expect(error.message).not.toContain(url);
        else expect(error.message).toContain(url);
        expect(error.message.length).toBeLessThan(reason.length + 2 * 130 + 200);
      }),
    );
  });
});
