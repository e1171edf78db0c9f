/**
 * The fast lane's frames. Its two everyday messages — one task to run, one task's plain value
 * back — are written field by field, without their keys, and a task's target strings (module
 * URL, function name) travel once per lane and then as an index: a sequential caller pays a
 * few bytes a task instead of encoding the same long URL every time. Any other message is
 * written whole as a compact value (codec/compact.ts). Each side's reader sees exactly the
 * message the other side's writer was given.
 */
import { MalformedMessageError } from "./errors.js";
import { Reader, Writer } from "./codec/compact.js";
import type { RunMessage, RunRequest, TaskTarget } from "./protocol.js";

const GENERIC = 0;
const TASK = 1;
const VALUE = 2;
const MODES: readonly RunRequest["mode"][] = ["call", "map", "starmap"];
const TIMED = 1;
const PROGRESS = 2;
const SOURCE = 4;
/** A string the reader has not seen: its index follows, then the text. */
const NEW_STRING = 0;
const KNOWN_STRING = 1;
/** A string past the table's size: inline, not remembered. */
const LOOSE_STRING = 2;
/** Strings one lane remembers (distinct targets beyond this travel whole each time). */
const TABLE_SIZE = 1024;

/** A plain single task: what a task frame carries. */
function isPlainRun(message: unknown): message is RunMessage {
  const run = message as RunMessage;
  return run.type === "run" && run.tasks.length === 1 && run.tasks[0]!.encoded === false;
}

/** A single plain value: what a value frame carries. */
function plainValue(message: unknown): { id: number; value: unknown } | undefined {
  const results = (message as { type?: unknown; results?: readonly { id: number; ok: boolean; value?: unknown; encoded?: boolean }[] }).results;
  if ((message as { type?: unknown }).type !== "results" || results?.length !== 1) return undefined;
  const outcome = results[0]!;
  return outcome.ok && outcome.encoded === false ? { id: outcome.id, value: outcome.value } : undefined;
}

/** Writes messages into one half of a mailbox, remembering the strings its reader has seen. */
export class FrameWriter {
  readonly #strings = new Map<string, number>();

  constructor(readonly view: DataView, readonly start: number, readonly size: number) {}

  /** Writes `message`; false if it is not carried here or does not fit. Never throws. */
  write(message: unknown): boolean {
    const writer = new Writer(this.view, this.start, this.size);
    const added: string[] = [];
    try {
      if (isPlainRun(message)) this.#task(writer, message.tasks[0]!, added);
      else {
        const value = plainValue(message);
        if (value !== undefined && Number.isInteger(value.id)) {
          this.#header(writer, VALUE, value.id);
          if (!writer.value(value.value)) return false;
        } else {
          this.view.setUint8(writer.offset++, GENERIC);
          if (!writer.value(message)) return false;
        }
      }
    } catch {
      return false;
    }
    // Remembered only once the reader will see the frame that introduces them.
    for (const text of added) this.#strings.set(text, this.#strings.size);
    return true;
  }

  #header(writer: Writer, kind: number, id: number): void {
    if (!writer.room(6) || (id | 0) !== id) throw new RangeError("no room");
    this.view.setUint8(writer.offset, kind);
    this.view.setInt32(writer.offset + 1, id);
    writer.offset += 5;
  }

  #task(writer: Writer, task: RunRequest, added: string[]): void {
    this.#header(writer, TASK, task.id);
    const source = "source" in task.target;
    const flags = (task.timed ? TIMED : 0) | (task.progress ? PROGRESS : 0) | (source ? SOURCE : 0);
    if (!writer.room(2)) throw new RangeError("no room");
    this.view.setUint8(writer.offset++, MODES.indexOf(task.mode));
    this.view.setUint8(writer.offset++, flags);
    this.#string(writer, source ? (task.target as { source: string }).source : (task.target as { module: string }).module, added);
    this.#string(writer, task.target.name, added);
    if (!writer.value(task.args)) throw new RangeError("not carried");
  }

  #string(writer: Writer, text: string, added: string[]): void {
    if (!writer.room(5)) throw new RangeError("no room");
    const known = this.#strings.get(text);
    if (known !== undefined) {
      this.view.setUint8(writer.offset, KNOWN_STRING);
      this.view.setUint32(writer.offset + 1, known);
      writer.offset += 5;
      return;
    }
    const index = added.indexOf(text);
    const remembered = index >= 0 ? this.#strings.size + index : this.#strings.size + added.length < TABLE_SIZE ? this.#strings.size + added.length : -1;
    if (index >= 0) {
      this.view.setUint8(writer.offset, KNOWN_STRING);
      this.view.setUint32(writer.offset + 1, remembered);
      writer.offset += 5;
      return;
    }
    this.view.setUint8(writer.offset++, remembered < 0 ? LOOSE_STRING : NEW_STRING);
    if (remembered >= 0) {
      this.view.setUint32(writer.offset, remembered);
      writer.offset += 4;
      added.push(text);
    }
    if (!writer.value(text)) throw new RangeError("no room");
  }
}

/** Reads the messages a {@link FrameWriter} wrote into one half of a mailbox. */
export class FrameReader {
  readonly #strings: string[] = [];
  /** One target object per distinct target (by place, then name), so that a worker sees the same object each time. */
  readonly #targets = new Map<string, Map<string, TaskTarget>>();

  constructor(readonly view: DataView, readonly start: number, readonly size: number) {}

  /** Reads one message. Throws only a MalformedMessageError. */
  read(): unknown {
    const reader = new Reader(this.view, this.start, Math.min(this.view.byteLength, this.start + this.size));
    try {
      const kind = this.view.getUint8(reader.offset++);
      if (kind === GENERIC) return reader.value();
      const id = this.view.getInt32(reader.offset);
      reader.offset += 4;
      if (kind === VALUE) return { type: "results", results: [{ id, ok: true, value: reader.value(), encoded: false }] };
      if (kind !== TASK) throw new MalformedMessageError(`the unknown frame ${kind}`);
      const mode = MODES[this.view.getUint8(reader.offset++)];
      const flags = this.view.getUint8(reader.offset++);
      if (mode === undefined) throw new MalformedMessageError("an unknown task mode");
      const place = this.#string(reader);
      const name = this.#string(reader);
      const target = this.#target(place, name, (flags & SOURCE) !== 0);
      const args = reader.value() as unknown[];
      const request: RunRequest =
        flags & (TIMED | PROGRESS)
          ? { id, target, args, encoded: false, mode, ...(flags & TIMED ? { timed: true } : {}), ...(flags & PROGRESS ? { progress: true } : {}) }
          : { id, target, args, encoded: false, mode };
      return { type: "run", tasks: [request] };
    } catch (error) {
      if (error instanceof MalformedMessageError) throw error;
      throw new MalformedMessageError(`The fast lane's mailbox held a frame its reader cannot read (${error instanceof Error ? error.message : String(error)}); it was corrupted or written by another version of weft.`);
    }
  }

  #string(reader: Reader): string {
    const how = this.view.getUint8(reader.offset++);
    if (how === KNOWN_STRING || how === NEW_STRING) {
      const index = this.view.getUint32(reader.offset);
      reader.offset += 4;
      if (how === KNOWN_STRING) {
        const known = this.#strings[index];
        if (known === undefined) throw new MalformedMessageError("a reference to a string not sent yet");
        return known;
      }
      const text = reader.value();
      if (typeof text !== "string" || index !== this.#strings.length) throw new MalformedMessageError("a malformed string");
      this.#strings.push(text);
      return text;
    }
    const text = reader.value();
    if (how !== LOOSE_STRING || typeof text !== "string") throw new MalformedMessageError("a malformed string");
    return text;
  }

  #target(place: string, name: string, source: boolean): TaskTarget {
    // The strings come from the table, so their hashes are computed once.
    let byName = this.#targets.get(place);
    let target = byName?.get(name);
    if (target === undefined || "source" in target !== source) {
      target = source ? { source: place, name } : { module: place, name };
      if (this.#targets.size < TABLE_SIZE) {
        if (!byName) this.#targets.set(place, (byName = new Map()));
        if (byName.size < TABLE_SIZE) byName.set(name, target);
      }
    }
    return target;
  }
}
