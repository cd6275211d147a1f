/**
 * Resumable experiments: finished units of work are saved as JSON in the experiment's output
 * folder, so an interrupted run (Ctrl-C) resumes where it stopped and gives the same numbers
 * as an uninterrupted one (every unit has its own seed).
 *
 * @module
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { namedSeed } from "../stats/seeds.js";
import type { ExperimentContext } from "./experiment.js";

/** File name of the checkpoint inside an experiment's output folder. */
export const CHECKPOINT_FILE = "checkpoint.json";

/**
 * Version of every checkpoint the harness writes (the experiments' JSON and the main job's JSON
 * lines). Bumped whenever what a stored unit means changes (seed derivation, stored shapes):
 * a checkpoint of another version is never read, so its units are recomputed, never mixed.
 * Version 2: named seed sub-streams; mergeable sums as (n, mean, m2).
 */
export const CHECKPOINT_VERSION = 2;

interface CheckpointFile {
  readonly format: typeof CHECKPOINT_VERSION;
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
        if (parsed.format === CHECKPOINT_VERSION && parsed.fingerprint === fp && typeof parsed.units === "object" && parsed.units !== null) units = parsed.units;
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
    const body: CheckpointFile = { format: CHECKPOINT_VERSION, fingerprint: this.#fingerprint, units: this.#units };
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

/** The first line of a run log: what it is and its {@link CHECKPOINT_VERSION}. */
const RUN_LOG_HEADER = JSON.stringify({ format: "sgd-diagrams run log", version: CHECKPOINT_VERSION });

/**
 * Opens a *run log*, the checkpoint of a long list of runs: JSON lines, a header and then one
 * `{ run, results }` per finished run, appended as runs finish (a whole-file rewrite per run, as
 * {@link Checkpoint.set} does, would be quadratic in the number of runs). Returns the results of
 * runs `0, 1, …` in order; a torn last line (an interruption) is dropped and redone. A file
 * without this version's header (an older checkpoint, or something else) is started over.
 */
export function openRunLog<T>(path: string | undefined): T[] {
  const done: T[] = [];
  if (path === undefined) return done;
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n") : [];
  if (lines[0] !== RUN_LOG_HEADER) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, RUN_LOG_HEADER + "\n");
    return done;
  }
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    try {
      const rec = JSON.parse(line) as { run: number; results: T };
      if (rec.run === done.length) done.push(rec.results);
    } catch {
      break; // a torn last line from an interruption: drop it and redo that run
    }
  }
  return done;
}

/** Appends finished run `run` to a run log opened with {@link openRunLog}. */
export function appendRunLog<T>(path: string | undefined, run: number, results: T): void {
  if (path !== undefined) appendFileSync(path, JSON.stringify({ run, results }) + "\n");
}

/**
 * A seed for one unit of work: the named sub-stream `key` of the base seed ({@link namedSeed}),
 * so units are independent of each other and of the order they run in.
 */
export function unitSeed(base: number, key: string): number {
  return namedSeed(base, key);
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
