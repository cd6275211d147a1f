/**
 * Resumable experiments: finished units of work are saved as JSON in the experiment's output
 * folder, so an interrupted run (Ctrl-C) resumes where it stopped and gives the same numbers
 * as an uninterrupted one (every unit has its own seed).
 *
 * @module
 */
import { appendFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fnv1a32, fnv1aHex } from "../stats/hash.js";
import { ownsUnit } from "./shard.js";
import { namedSeed } from "../stats/seeds.js";
import type { ExperimentContext } from "./experiment.js";
import { readRegularFile, withFsErrors, writeFileAtomic } from "./safeFile.js";
import { type RunJob, runJob, runJobAsync, type RunStore } from "./runEngine.js";

/** File name of the checkpoint inside an experiment's output folder. */
export const CHECKPOINT_FILE = "checkpoint.json";

/**
 * Version of every checkpoint the harness writes (the experiments' JSON and the main job's JSON
 * lines). Bumped whenever what a stored unit means changes (seed derivation, stored shapes):
 * a checkpoint of another version is never read, so its units are recomputed, never mixed.
 * Version 2: named seed sub-streams; mergeable sums as (n, mean, m2).
 */
export const CHECKPOINT_VERSION = 2;

/**
 * Version of the run logs ({@link openRunLog}); 3 = {@link CHECKPOINT_VERSION} 2 plus a
 * checksum on every record (older logs are recomputed, never mixed).
 */
export const RUN_LOG_VERSION = 3;

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
    withFsErrors(dir, () => mkdirSync(dir, { recursive: true }));
    const file = join(dir, CHECKPOINT_FILE);
    const fp = JSON.stringify(fingerprint);
    let units: Record<string, unknown> = {};
    if (!fresh && existsSync(file)) {
      const text = readRegularFile(file, "checkpoint"); // bounded; a folder or device → one line
      try {
        const parsed = JSON.parse(text) as CheckpointFile;
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
    const body: CheckpointFile = { format: CHECKPOINT_VERSION, fingerprint: this.#fingerprint, units: this.#units };
    writeFileAtomic(this.#file, JSON.stringify(body));
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

/** The first line of a run log: what it is and its {@link RUN_LOG_VERSION}. */
const RUN_LOG_HEADER = JSON.stringify({ format: "sgd-diagrams run log", version: RUN_LOG_VERSION });

/** Options of {@link openRunLog}. */
export interface RunLogOptions<T> {
  /**
   * Whether a stored `results` value is well formed (schema, finite numbers). A record that
   * fails is dropped, the file repaired, and the run recomputed.
   */
  readonly validate?: (results: unknown) => results is T;
  /** Only runs `0..runs−1` are returned (the file keeps the others for a later, larger `--runs`). */
  readonly runs?: number;
  /** Told, in one line, when the file was repaired or started over. */
  readonly onNotice?: (line: string) => void;
  /** Cap on the file's size (see {@link readRegularFile}). */
  readonly maxBytes?: number;
}

/** A record's checksum: an edited value (a hand-edited 999, null or string) no longer matches it. */
function recordSum(run: number, resultsJson: string): string {
  return fnv1aHex(`${run}:${resultsJson}`);
}

function recordLine(run: number, results: unknown): string {
  const json = JSON.stringify(results);
  return `{"run":${run},"sum":"${recordSum(run, json)}","results":${json}}`;
}

/** The record of one line, or `null` for a torn, garbage, edited or ill-formed one. */
function parseRecord<T>(line: string, validate: ((x: unknown) => x is T) | undefined): { run: number; results: T } | null {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof rec !== "object" || rec === null || Array.isArray(rec)) return null;
  const { run, sum, results } = rec as { run?: unknown; sum?: unknown; results?: unknown };
  if (typeof run !== "number" || !Number.isSafeInteger(run) || run < 0) return null;
  if (typeof sum !== "string" || sum !== recordSum(run, JSON.stringify(results))) return null;
  if (results === undefined || (validate !== undefined && !validate(results))) return null;
  return { run, results: results as T };
}

/**
 * Opens a *run log*, the checkpoint of a long list of runs: JSON lines, a header and then one
 * `{ run, sum, results }` per finished run, appended as runs finish (a whole-file rewrite per
 * run, as {@link Checkpoint.set} does, would be quadratic in the number of runs).
 *
 * Every record is checked (JSON, schema via `validate`, its checksum `sum`); only valid records
 * are kept, one per run. When a record was dropped (a torn line from a kill or a full disk,
 * garbage, an edited value) or repeated, the file is rewritten atomically with the valid
 * records only and `onNotice` is told so in one line — so later appends never follow a bad
 * line, and the file holds each run once. A file without this version's header (an older
 * checkpoint, or something else) is started over. Returns the valid runs below `runs` by index.
 */
export function openRunLog<T>(path: string | undefined, options: RunLogOptions<T> = {}): Map<number, T> {
  const done = new Map<number, T>();
  if (path === undefined) return done;
  const text = existsSync(path) ? readRegularFile(path, "checkpoint", options.maxBytes) : "";
  const lines = text.split("\n");
  if (lines[0] !== RUN_LOG_HEADER) {
    if (text.trim() !== "") options.onNotice?.(`checkpoint ${path} has another format (older code?): its runs are recomputed`);
    withFsErrors(path, () => mkdirSync(dirname(path), { recursive: true }));
    writeFileAtomic(path, RUN_LOG_HEADER + "\n");
    return done;
  }
  const all = new Map<number, string>();
  let dropped = 0;
  let repeated = 0;
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    const rec = parseRecord(line, options.validate);
    if (rec === null) dropped++;
    else if (all.has(rec.run)) repeated++;
    else {
      all.set(rec.run, line);
      if (options.runs === undefined || rec.run < options.runs) done.set(rec.run, rec.results);
    }
  }
  if (dropped > 0 || repeated > 0 || !text.endsWith("\n")) {
    const kept = [...all.keys()].sort((a, b) => a - b).map((r) => all.get(r)!);
    writeFileAtomic(path, [RUN_LOG_HEADER, ...kept].join("\n") + "\n");
    if (dropped > 0 || repeated > 0) {
      options.onNotice?.(`repaired checkpoint ${path}: dropped ${dropped} invalid or torn record(s) and ${repeated} repeated one(s), kept ${kept.length} valid run(s)`);
    }
  }
  return done;
}

/** Appends finished run `run` to a run log opened with {@link openRunLog} (one-line errors, e.g. a full disk). */
export function appendRunLog<T>(path: string | undefined, run: number, results: T): void {
  if (path !== undefined) withFsErrors(path, () => appendFileSync(path, recordLine(run, results) + "\n"));
}

/**
 * A seed for one unit of work: the named sub-stream `key` of the base seed ({@link namedSeed}),
 * so units are independent of each other and of the order they run in.
 */
export function unitSeed(base: number, key: string): number {
  return namedSeed(base, key);
}

/**
 * A checkpoint's chunks as the store of a run-engine job: run `r` is done when chunk
 * `⌊r/size⌋` of stage `key` is saved (under `key#i`); a chunk's runs are saved as one unit,
 * `wrap(results)`.
 */
export function checkpointChunkStore<R, U>(cp: Checkpoint, key: string, size: number, wrap: (results: readonly R[]) => U): RunStore<R> {
  return {
    has: (r) => cp.has(`${key}#${Math.floor(r / size)}`),
    save: (from, results) => void cp.set(`${key}#${Math.floor(from / size)}`, wrap(results)),
  };
}

/**
 * The run-engine job of stage `key` of an experiment: the checkpoint's chunks of `size` runs
 * ({@link checkpointChunkStore}), this process's chunks only ({@link computesChunk}), stopping
 * on `ctx.shouldStop()` and reporting chunk `i + 1` of `count` after each.
 */
export function experimentJob<R, U>(
  cp: Checkpoint,
  ctx: ExperimentContext,
  key: string,
  stage: { runs: number; size: number; label: string; wrap: (results: readonly R[]) => U },
  train: (from: number, to: number) => R[],
): RunJob<R> {
  const count = Math.ceil(stage.runs / stage.size);
  return {
    runs: stage.runs,
    chunkSize: stage.size,
    store: checkpointChunkStore(cp, key, stage.size, stage.wrap),
    owns: (i) => computesChunk(ctx, key, i),
    train,
    shouldStop: () => ctx.shouldStop(),
    onChunk: (from) => ctx.progress(stage.label, Math.floor(from / stage.size) + 1, count),
  };
}

/**
 * The stored chunks `key#0..count−1` in order, or `null` when one is missing (interrupted, or
 * another shard's: merge them, see ExperimentContext.shard); reports the stage done.
 */
export function storedChunks<U>(cp: Checkpoint, ctx: ExperimentContext, key: string, count: number, label: string, interrupted: boolean): U[] | null {
  if (interrupted) return null;
  const out: U[] = [];
  for (let i = 0; i < count; i++) {
    const have = cp.get<U>(`${key}#${i}`);
    if (have === undefined) return null;
    out.push(have);
  }
  ctx.progress(label, count, count);
  return out;
}

/** {@link runChunks}' job: unit `i` is run `i` of the engine, one per chunk, seeded by its key. */
function unitsJob<T>(cp: Checkpoint, ctx: ExperimentContext, key: string, count: number, compute: (index: number, seed: number) => T, label: string): RunJob<T> {
  const stage = { runs: count, size: 1, label, wrap: (results: readonly T[]) => results[0] };
  return experimentJob(cp, ctx, key, stage, (i) => [compute(i, unitSeed(ctx.seed, `${key}#${i}`))]);
}

/**
 * Runs `count` chunks of a unit (chunk `i` computed by `compute(i, seed_i)`) on the harness's
 * run engine, saving each finished chunk, and reports progress. Returns the chunk results in
 * order, or `null` when the user asked to stop before all were done (the finished ones stay
 * saved) or when other shards' chunks are missing.
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
  const { interrupted } = runJob(unitsJob(cp, ctx, key, count, compute, label));
  return storedChunks<T>(cp, ctx, key, count, label, interrupted);
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
  const { interrupted } = await runJobAsync(unitsJob(cp, ctx, key, count, compute, label));
  return storedChunks<T>(cp, ctx, key, count, label, interrupted);
}

/**
 * Whether this process computes chunk `i` of stage `key`: not under `storedOnly`, and with a
 * shard only its own chunks. The stage's hash offsets the chunks, so stages with fewer chunks
 * than shards do not all land on shard 0.
 */
function computesChunk(ctx: ExperimentContext, key: string, i: number): boolean {
  if (ctx.storedOnly === true) return false;
  return ctx.shard === undefined || ownsUnit(ctx.shard, i + (fnv1a32(key) % ctx.shard.count));
}

export { yieldToEventLoop } from "./runEngine.js";
