/**
 * The slice of the `Deno` namespace this adapter uses, typed here so that the package builds
 * with tsc/tsup (which know nothing of Deno's globals) and reads the same under `deno check`.
 */

/** A Deno permission name, as `Deno.permissions.query` and the `--allow-*` flags spell it. */
export type PermissionName = "read" | "write" | "net" | "env" | "run" | "ffi" | "sys" | "import";
/** Every {@link PermissionName}, in the order flags are given. */
export const PERMISSION_NAMES: readonly PermissionName[] = ["read", "write", "net", "env", "run", "ffi", "sys", "import"];

export interface PermissionDescriptor {
  readonly name: PermissionName;
  readonly path?: string;
  readonly host?: string;
  readonly variable?: string;
  readonly command?: string;
  readonly kind?: string;
}

export interface DenoChildProcess {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array>;
  /** Throws when the child's stdout was not "piped". */
  readonly stdout: ReadableStream<Uint8Array>;
  readonly status: Promise<{ success: boolean; code: number; signal: string | null }>;
  kill(signal?: string): void;
  ref(): void;
  unref(): void;
}

/** A connected Unix socket. */
export interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
  close(): void;
  ref(): void;
  unref(): void;
}

export interface DenoListener {
  accept(): Promise<DenoConn>;
  close(): void;
  ref(): void;
  unref(): void;
}

export interface DenoNamespace {
  readonly pid: number;
  readonly ppid: number;
  readonly args: readonly string[];
  readonly version: { readonly deno: string };
  readonly build: { readonly os: string };
  execPath(): string;
  cwd(): string;
  readTextFileSync(path: string): string;
  statSync(path: string): { readonly isFile: boolean };
  makeTempDirSync(options: { prefix: string }): string;
  removeSync(path: string, options?: { recursive: boolean }): void;
  listen(options: { transport: "unix"; path: string }): DenoListener;
  connect(options: { transport: "unix"; path: string }): Promise<DenoConn>;
  exit(code?: number): never;
  kill(pid: number, signal: string | number): void;
  readonly stdin: { read(buffer: Uint8Array): Promise<number | null> };
  readonly stdout: { writeSync(data: Uint8Array): number };
  readonly permissions: {
    querySync(descriptor: PermissionDescriptor): { readonly state: "granted" | "denied" | "prompt" };
  };
  Command: new (
    command: string,
    options: {
      args: string[];
      stdin: "piped";
      stdout: "piped" | "inherit";
      stderr: "inherit" | "null";
      env?: Record<string, string>;
    },
  ) => { spawn(): DenoChildProcess };
}

/** The `Deno` global; throws a clear error when this package is loaded by another runtime. */
export function deno(): DenoNamespace {
  const value = (globalThis as { Deno?: DenoNamespace }).Deno;
  if (!value) throw new Error("@weft/deno runs on Deno only; on Node use @weft/node, on Bun @weft/bun, in a browser @weft/browser.");
  return value;
}
