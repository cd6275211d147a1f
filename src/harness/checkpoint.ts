/**
 * Resumable experiments: finished units of work are saved as JSON in the experiment's output
 * folder, so an interrupted run (Ctrl-C) resumes where it stopped and gives the same numbers
 * as an uninterrupted one (every unit has its own seed).
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors.js";
import type { ExperimentContext } from "./experiment.js";

/** File name of the checkpoint inside an experiment's output folder. */
export const CHECKPOINT_FILE = "checkpoint.json";

interface CheckpointFile {
  readonly format: 1;
  readonly fingerprint: string;
  readonly units: Record<string, unknown>;
}

/**
 * A key–value store of finished units, tied to a *fingerprint* of the configuration (sizes,
 * seed, code version). A checkpoint with another fingerprint is ignored and overwritten, so a
 * change of `--quick` or `--seed` never mixes results.
 */
export class Checkpoint {
  readonly #file: string;
  readonly #fingerprint: string;
  readonly #units: Record<string, unknown>;
  /** Units that were loaded from disk rather than computed in this process. */
  readonly resumed: Set<string>;

  private constructor(file: string, fingerprint: string, units: Record<string, unknown>) {
    this.#file = file;
    this.#fingerprint = fingerprint;
    this.#units = units;
    this.resumed = new Set(Object.keys(units));
  }

  /**
   * Opens (or starts) the checkpoint in `dir`.
   * @param fingerprint - anything JSON-serialisable that identifies the configuration.
   * @param fresh - ignore what is on disk.
   */
  static open(dir: string, fingerprint: unknown, fresh = false): Checkpoint {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, CHECKPOINT_FILE);
    const fp = JSON.stringify(fingerprint);
    let units: Record<string, unknown> = {};
    if (!fresh && existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, "utf8")) as CheckpointFile;
        if (parsed.format === 1 && parsed.fingerprint === fp && typeof parsed.units === "object" && parsed.units !== null) units = parsed.units;
      } catch {
        units = {}; // a torn or foreign file: start over
      }
    }
    return new Checkpoint(file, fp, units);
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.#units, key);
  }

  get<T>(key: string): T | undefined {
    return this.has(key) ? (this.#units[key] as T) : undefined;
  }

  /** Stores a finished unit and writes the file (atomically: temp file + rename). */
  set<T>(key: string, value: T): T {
    this.#units[key] = value;
    const tmp = `${this.#file}.tmp`;
    const body: CheckpointFile = { format: 1, fingerprint: this.#fingerprint, units: this.#units };
    writeFileSync(tmp, JSON.stringify(body));
    renameSync(tmp, this.#file);
    return value;
  }

  /** The unit's stored value, or computes and stores it. */
  unit<T>(key: string, compute: () => T): T {
    const v = this.get<T>(key);
    return v !== undefined ? v : this.set(key, compute());
  }

  /** Deletes the file. */
  clear(): void {
    rmSync(this.#file, { force: true });
  }
}

/**
 * A seed for one unit of work, derived from the base seed and the unit's name (FNV-1a), so
 * units are independent of each other and of the order they run in.
 */
export function unitSeed(base: number, key: string): number {
  if (!Number.isSafeInteger(base)) throw new InvalidArgumentError("unitSeed", "base", "a safe integer", base);
  let h = 0x811c9dc5;
  const text = `${key}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Keep the result a safe integer: low 32 bits from the hash, high bits from the base.
  const hi = ((base % 0x100000) + 0x100000) % 0x100000;
  return hi * 0x100000000 + h;
}

/**
 * Runs `count` chunks of a unit (chunk `i` computed by `compute(i, seed_i)`), saving each
 * finished chunk, and reports progress. Returns the chunk results in order, or `null` when
 * the user asked to stop before all were done (the finished ones stay saved).
 *
 * Synchronous: a Ctrl-C handler only runs once the caller yields to the event loop; prefer
 * {@link runChunksAsync}, which yields between chunks.
 */
export function runChunks<T>(
  cp: Checkpoint,
  ctx: ExperimentContext,
  key: string,
  count: number,
  compute: (index: number, seed: number) => T,
  label = key,
): T[] | null {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const k = `${key}#${i}`;
    const have = cp.get<T>(k);
    if (have !== undefined) {
      out.push(have);
      continue;
    }
    if (ctx.shouldStop()) return null;
    out.push(cp.set(k, compute(i, unitSeed(ctx.seed, k))));
    ctx.progress(label, i + 1, count);
  }
  ctx.progress(label, count, count);
  return out;
}

/**
 * {@link runChunks}, yielding to the event loop before each chunk so that a Ctrl-C handler
 * (or a progress bar) gets to run and the stop request is seen between chunks.
 */
export async function runChunksAsync<T>(
  cp: Checkpoint,
  ctx: ExperimentContext,
  key: string,
  count: number,
  compute: (index: number, seed: number) => T,
  label = key,
): Promise<T[] | null> {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const k = `${key}#${i}`;
    const have = cp.get<T>(k);
    if (have !== undefined) {
      out.push(have);
      continue;
    }
    await yieldToEventLoop();
    if (ctx.shouldStop()) return null;
    out.push(cp.set(k, compute(i, unitSeed(ctx.seed, k))));
    ctx.progress(label, i + 1, count);
  }
  ctx.progress(label, count, count);
  return out;
}

/** Resolves after the events already queued (signals, timers' I/O) have been handled. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
