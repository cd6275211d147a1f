/**
 * The main job's simulation: paired runs (seeded per run, chunked, checkpointed, on a worker
 * pool) and their measured means with the harness's control variates.
 *
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InvalidArgumentError } from "../errors.js";
import { appendRunLog, openRunLog } from "../harness/checkpoint.js";
import { controlledValue, firstOrderWeight } from "../harness/controlVariates.js";
import { drawRun } from "../harness/model.js";
import { setVariates } from "../harness/populationStats.js";
import { stepCount } from "../schedule/schedule.js";
import type { RunResult } from "../simulate/runResult.js";
import { meanInterval } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";
import { type MainJobConfig, type MeasuredQuantity, simulationKey } from "./config.js";
import type { BatchedRuns, ModelSetup, RunSpec } from "./setup.js";

/** Measured mean at one η over the finished runs. */
export interface SimulationRow {
  readonly eta: number;
  readonly etaT: number;
  readonly mean: number;
  readonly ci95: number;
  readonly runs: number;
  readonly diverged: number;
  /** Earliest step at which a run diverged (−1 when none did). */
  readonly firstDivergedStep: number;
}

export interface SimulationResult {
  readonly quantity: MeasuredQuantity;
  /**
   * Whether the measured means use the zero-mean control variates of {@link controlVariates}
   * (the train loss: training-set loss at θ0; the test loss: its first-order fluctuation; the
   * gap: both). Always, once there are runs.
   */
  readonly controlVariate: boolean;
  readonly rows: readonly SimulationRow[];
  readonly runsDone: number;
  readonly runsRequested: number;
  readonly resumedFrom: number;
  readonly interrupted: boolean;
  readonly seconds: number;
}

/** Options of {@link simulateMainJob}. */
export interface SimulateMainJobOptions {
  /** JSON-lines file of finished runs: appended to, and resumed from. */
  readonly checkpoint?: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** Asked before each chunk of runs; `true` stops (finished runs stay in the checkpoint). */
  readonly shouldStop?: () => boolean;
}

/**
 * Simulates `c.runs` paired runs (each: a training set of N i.i.d. draws from the data set,
 * trained at every η), appending each finished run to `checkpoint` (JSON lines) so that an
 * interrupted simulation resumes where it stopped. Runs are seeded by their index, so the
 * result does not depend on how often it was interrupted.
 *
 * A setup with batched training ({@link ModelSetup.trainRuns}) trains chunks of
 * {@link simulationChunkSize} runs at once ({@link simulationChunks}); each run of a chunk is
 * written to the checkpoint when the chunk finishes, and `shouldStop` is asked between chunks.
 */
export function simulateMainJob(c: MainJobConfig, setup: ModelSetup, options: SimulateMainJobOptions = {}): SimulationResult {
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  const t0 = performance.now();
  const state = { done: openRunLog<RunResult[]>(options.checkpoint), interrupted: false };
  const resumedFrom = state.done.length;
  for (const _ of simulationSteps(c, setup, options, state));
  return summarise(c, setup, state.done, resumedFrom, state.interrupted, t0);
}

/** {@link simulateMainJob} yielding to the event loop after every chunk (so Ctrl-C is heard). */
async function simulateMainJobAsync(c: MainJobConfig, setup: ModelSetup, options: SimulateMainJobOptions): Promise<SimulationResult> {
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  const t0 = performance.now();
  const state = { done: openRunLog<RunResult[]>(options.checkpoint), interrupted: false };
  const resumedFrom = state.done.length;
  for (const _ of simulationSteps(c, setup, options, state)) await new Promise((resolve) => setImmediate(resolve));
  return summarise(c, setup, state.done, resumedFrom, state.interrupted, t0);
}

/** Trains the remaining runs chunk by chunk, checkpointing each; yields after every chunk. */
function* simulationSteps(
  c: MainJobConfig,
  setup: ModelSetup,
  options: SimulateMainJobOptions,
  state: { done: RunResult[][]; interrupted: boolean },
): Generator<void> {
  for (const [from, to] of simulationChunks(state.done.length, c.runs, simulationChunkSize(c, setup))) {
    if (options.shouldStop?.() === true) {
      state.interrupted = true;
      return;
    }
    runChunk(c, setup, from, to).forEach((results, i) => {
      state.done.push(results);
      appendRunLog(options.checkpoint, from + i, results);
    });
    options.onProgress?.(to, c.runs);
    yield;
  }
}

/** Run `r`'s training set (N i.i.d. draws) and the generator, seeded by `r` alone, that then draws its batches. */
export function runSpec(c: MainJobConfig, setup: ModelSetup, r: number): RunSpec {
  const { trainSet, orderSeed } = drawRun(c.seed, "main job", r, c.schedule.N, setup.populationSize);
  return { trainSet, rng: new Rng(orderSeed) };
}

/** Run `r`: its own seeded training set (N i.i.d. draws) trained at every η (paired). */
export function runOne(c: MainJobConfig, setup: ModelSetup, r: number): RunResult[] {
  const { trainSet, rng } = runSpec(c, setup, r);
  return setup.train(trainSet, c.etas, rng);
}

/** The setup's batched training, if it still batches the setup's `train` (see {@link BatchedRuns.batches}). */
function batchedRuns(setup: ModelSetup): BatchedRuns | undefined {
  const b = setup.trainRuns;
  return b !== undefined && b.batches === setup.train ? b : undefined;
}

/** Runs trained per chunk: the batched trainer's runs per call, else 1. */
export function simulationChunkSize(c: MainJobConfig, setup: ModelSetup): number {
  return Math.max(1, batchedRuns(setup)?.runsPerCall(c.etas.length) ?? 1);
}

/**
 * The chunks `[from, to)` covering runs `start..runs−1`, with boundaries at the multiples of
 * `size` (only the first chunk of a resumed simulation may be shorter), so that which runs
 * train together depends neither on the number of workers nor on where most resumptions start.
 */
export function simulationChunks(start: number, runs: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = start; from < runs; ) {
    const to = Math.min(runs, (Math.floor(from / size) + 1) * size);
    out.push([from, to]);
    from = to;
  }
  return out;
}

/** Runs `from..to−1` ({@link runOne} each, or one batched call). */
export function runChunk(c: MainJobConfig, setup: ModelSetup, from: number, to: number): RunResult[][] {
  const runs = Array.from({ length: to - from }, (_, i) => from + i);
  const batched = batchedRuns(setup);
  if (batched === undefined) return runs.map((r) => runOne(c, setup, r));
  return batched.train(
    runs.map((r) => runSpec(c, setup, r)),
    c.etas,
  );
}

/**
 * {@link simulateMainJob} across worker threads (one per core by default). Results do not
 * depend on the number of workers: run `r` is seeded by `r` alone, the chunks of runs trained
 * together are fixed ({@link simulationChunks}) and handed out whole, and runs are written to
 * the checkpoint in order as soon as they are contiguous. With one worker, or when the compiled
 * worker script is not available (running from TypeScript sources), runs on this thread,
 * yielding to the event loop between chunks so that `shouldStop` (Ctrl-C) takes effect.
 */
export async function simulateMainJobParallel(
  c: MainJobConfig,
  setup: ModelSetup,
  options: SimulateMainJobOptions & { workers?: number } = {},
): Promise<SimulationResult> {
  const script = fileURLToPath(new URL("./simulateWorker.js", import.meta.url));
  const workers = Math.max(1, options.workers ?? 2);
  if (workers === 1 || !existsSync(script)) return simulateMainJobAsync(c, setup, options);
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  const t0 = performance.now();
  const done = openRunLog<RunResult[]>(options.checkpoint);
  const resumedFrom = done.length;
  const pending = new Map<number, RunResult[]>();
  const chunks = simulationChunks(done.length, c.runs, simulationChunkSize(c, setup));
  if (chunks.length === 0) return summarise(c, setup, done, resumedFrom, false, t0);
  const shares = Array.from({ length: Math.min(workers, chunks.length) }, (_, w) => chunks.filter((_, i) => i % workers === w));
  let interrupted = false;
  await new Promise<void>((resolve, reject) => {
    let finished = 0;
    const pool = shares.map((share) => new Worker(script, { workerData: { config: c, chunks: share } }));
    const poll = setInterval(() => {
      if (options.shouldStop?.() === true && !interrupted) {
        interrupted = true;
        clearInterval(poll);
        Promise.all(pool.map((w) => w.terminate())).then(() => resolve(), reject);
      }
    }, 100);
    for (const w of pool) {
      w.on("message", (m: { from?: number; results?: RunResult[][]; done?: boolean }) => {
        if (m.done === true) {
          if (++finished === pool.length) {
            clearInterval(poll);
            resolve();
          }
          return;
        }
        m.results!.forEach((results, i) => pending.set(m.from! + i, results));
        while (pending.has(done.length)) {
          const results = pending.get(done.length)!;
          pending.delete(done.length);
          appendRunLog(options.checkpoint, done.length, results);
          done.push(results);
        }
        options.onProgress?.(done.length + pending.size, c.runs);
      });
      w.on("error", (e) => {
        clearInterval(poll);
        void Promise.all(pool.map((x) => x.terminate()));
        reject(e);
      });
    }
  });
  return summarise(c, setup, done, resumedFrom, interrupted, t0);
}

/**
 * Zero-mean control variates of the runs, from their training sets at `θ0` (each training set
 * is i.i.d. from the population, and the population means below are exact):
 * - `trainOffset[r]`: the training set's mean loss at `θ0` minus the population mean loss — highly
 *   correlated with the run's final train loss at small η;
 * - `testSlope[r]`: `(1/N)·Σ_n G_S·(∇l_{x_n} − G)` at `θ0` (`G_S` the test sample's mean gradient,
 *   `G` the population's) — `−ηT·testSlope[r]` is the run's first-order fluctuation of the test
 *   loss for one-pass, batch and multi-epoch SGD and GD;
 * - `trainSlope[r]`: `|ḡ_r|² − E|ḡ|²` — `−ηT` times it is the train loss's first-order fluctuation
 *   beyond the training set's loss at init (see `setVariates`).
 * Subtracting any fixed multiple of a zero-mean variate keeps a mean unbiased; these remove
 * most of the spread over training sets. Costs one pass over the population (losses, or
 * directional derivatives along `G_S`).
 */
export function controlVariates(c: MainJobConfig, setup: ModelSetup, runs: number, which: "train" | "test" | "trainSlope"): Float64Array {
  const sets = Array.from({ length: runs }, (_, r) => runSpec(c, setup, r).trainSet);
  return setVariates(setup, sets, which === "train" ? "loss" : which === "test" ? "test slope" : "train slope");
}

function summarise(c: MainJobConfig, setup: ModelSetup, done: RunResult[][], resumedFrom: number, interrupted: boolean, t0: number): SimulationResult {
  const T = stepCount(c.schedule);
  const W = firstOrderWeight(c.schedule);
  const none = done.length === 0;
  const offsets = c.loss === "test" || none ? null : controlVariates(c, setup, done.length, "train");
  const trainSlope = offsets === null ? null : controlVariates(c, setup, done.length, "trainSlope");
  const slopes = c.loss === "train" || none ? null : controlVariates(c, setup, done.length, "test");
  const rows = c.etas.map((eta, i): SimulationRow => {
    const vals: number[] = [];
    let diverged = 0;
    let firstStep = Infinity;
    for (const [r, run] of done.entries()) {
      const res = run[i];
      if (res.diverged !== undefined) {
        diverged++;
        firstStep = Math.min(firstStep, res.diverged);
        continue;
      }
      const v = controlledValue(res, c.loss, eta * W, { trainOffset: offsets?.[r] ?? 0, testSlope: slopes?.[r] ?? 0, trainSlope: () => trainSlope?.[r] ?? 0 });
      if (v !== null) vals.push(v);
    }
    const m = meanInterval(vals);
    return { eta, etaT: eta * T, mean: m.mean, ci95: m.ci95, runs: m.runs, diverged, firstDivergedStep: Number.isFinite(firstStep) ? firstStep : -1 };
  });
  return {
    quantity: c.loss,
    controlVariate: offsets !== null || slopes !== null,
    rows,
    runsDone: done.length,
    runsRequested: c.runs,
    resumedFrom,
    interrupted,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Ensures the output folder and returns the checkpoint path for this config. */
export function checkpointPath(outDir: string, c: MainJobConfig): string {
  const dir = join(outDir, "checkpoints");
  mkdirSync(dir, { recursive: true });
  return join(dir, `simulate-${simulationKey(c)}.jsonl`);
}

