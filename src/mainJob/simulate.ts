/**
 * The main job's simulation: paired runs (seeded per run, chunked, checkpointed, on a worker
 * pool: the harness's run engine, `harness/runEngine.ts`) and their measured means with the
 * harness's control variates.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError } from "../errors.js";
import { appendRunLog, openRunLog } from "../harness/checkpoint.js";
import { withFsErrors } from "../harness/safeFile.js";
import { controlledValue, firstOrderWeight } from "../harness/controlVariates.js";
import { drawRun } from "../harness/model.js";
import { missingChunks, type RunJob, runJob, runJobAsync } from "../harness/runEngine.js";

export { missingChunks } from "../harness/runEngine.js";
import { ownsUnit, type Shard, shardTag } from "../harness/shard.js";
import { type PopulationModel, setVariates, testSampleLossAtInit } from "../harness/populationStats.js";
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
  /** When a run counts as diverged at an η ({@link DIVERGENCE_RULE}). */
  readonly divergenceRule: string;
  readonly seconds: number;
}

/** Options of {@link simulateMainJob}. */
export interface SimulateMainJobOptions {
  /** JSON-lines file of finished runs: appended to, and resumed from. */
  readonly checkpoint?: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** Asked before each chunk of runs; `true` stops (finished runs stay in the checkpoint). */
  readonly shouldStop?: () => boolean;
  /** Told, in one line, when the checkpoint was repaired or started over. */
  readonly onNotice?: (line: string) => void;
  /**
   * Train only this shard's runs: the chunks `[k·size, (k+1)·size)` ({@link simulationChunkSize})
   * with `k mod n` = the shard's index, so runs batched together are the same as in one process.
   * Used by {@link simulateShard}.
   */
  readonly shard?: Shard;
}

export function simulateMainJob(c: MainJobConfig, setup: ModelSetup, options: SimulateMainJobOptions = {}): SimulationResult {
  const t0 = performance.now();
  const done = openRuns(c, options);
  const resumedFrom = done.size;
  const { interrupted } = runJob(mainJobRuns(c, setup, options, done));
  return summarise(c, setup, done, resumedFrom, interrupted, t0);
}

/** The checkpoint's valid runs below `c.runs` (repaired and reported, see {@link openRunLog}). */
function openRuns(c: MainJobConfig, options: SimulateMainJobOptions): Map<number, RunResult[]> {
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  return openRunLog<RunResult[]>(options.checkpoint, { validate: runResultsValidator(c), runs: c.runs, onNotice: options.onNotice });
}

/**
 * The main job's runs as a job of the harness's run engine: run `r` is {@link runSpec}`(r)`,
 * chunks of {@link simulationChunkSize} runs, a shard's own chunks only, every finished run
 * (normalised) appended to the run log and kept in `done`.
 */
function mainJobRuns(c: MainJobConfig, setup: ModelSetup, options: SimulateMainJobOptions, done: Map<number, RunResult[]>): RunJob<RunResult[]> {
  const { shard, shouldStop, onProgress } = options;
  return {
    runs: c.runs,
    chunkSize: simulationChunkSize(c, setup),
    store: {
      has: (r) => done.has(r),
      save: (from, results) =>
        results.forEach((run, i) => {
          const res = normalised(c, run);
          appendRunLog(options.checkpoint, from + i, res);
          done.set(from + i, res);
        }),
    },
    ...(shard === undefined ? {} : { owns: (block: number) => ownsUnit(shard, block) }),
    train: (from, to) => runChunk(c, setup, from, to),
    ...(shouldStop === undefined ? {} : { shouldStop }),
    onChunk: () => onProgress?.(done.size, c.runs),
  };
}

/**
 * Whether a stored value is the results of one run of `c`: one result per η of `c.etas`, in
 * order, each with finite losses or a non-negative integer divergence step.
 */
export function runResultsValidator(c: Pick<MainJobConfig, "etas">): (x: unknown) => x is RunResult[] {
  const ok = (r: unknown, eta: number): boolean => {
    if (typeof r !== "object" || r === null) return false;
    const o = r as Record<string, unknown>;
    if (o.eta !== eta) return false;
    if (o.diverged !== undefined) return typeof o.diverged === "number" && Number.isSafeInteger(o.diverged) && o.diverged >= 0;
    return typeof o.test === "number" && Number.isFinite(o.test) && typeof o.train === "number" && Number.isFinite(o.train);
  };
  return (x): x is RunResult[] => Array.isArray(x) && x.length === c.etas.length && x.every((r, i) => ok(r, c.etas[i]));
}

/**
 * A run's results as stored: a loss that is not finite (a trainer that did not flag it) counts
 * as diverged at the last step, so every stored record passes {@link runResultsValidator}.
 */
function normalised(c: MainJobConfig, results: RunResult[]): RunResult[] {
  const T = stepCount(c.schedule);
  return results.map((r) => (r.diverged === undefined && !(Number.isFinite(r.test) && Number.isFinite(r.train)) ? { eta: r.eta, diverged: T } : r));
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
  return [...missingChunks((r) => r < start, runs, size)];
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
 * {@link simulateMainJob} across worker threads (one per core by default; the harness's
 * {@link runJobAsync}). Results do not depend on the number of workers: run `r` is seeded by
 * `r` alone and the chunks of runs trained together are fixed ({@link missingChunks}). With
 * one worker, or when the compiled worker script is not available (running from TypeScript
 * sources), runs on this thread, yielding to the event loop between chunks so that
 * `shouldStop` (Ctrl-C) takes effect.
 */
export async function simulateMainJobParallel(
  c: MainJobConfig,
  setup: ModelSetup,
  options: SimulateMainJobOptions & { workers?: number } = {},
): Promise<SimulationResult> {
  const t0 = performance.now();
  const { done, resumedFrom, interrupted } = await trainRuns(c, setup, options);
  return summarise(c, setup, done, resumedFrom, interrupted, t0);
}

/** A shard's finished runs by index (see {@link simulateShard}). */
export interface ShardRuns {
  readonly runs: ReadonlyMap<number, RunResult[]>;
  readonly interrupted: boolean;
}

/**
 * Trains shard `options.shard`'s runs (checkpointed in `options.checkpoint`, which should be
 * the shard's own file: see {@link checkpointPath}) and returns them without means: a merge of
 * every shard's runs gives {@link simulateMainJobParallel}'s result bit for bit.
 */
export async function simulateShard(c: MainJobConfig, setup: ModelSetup, options: SimulateMainJobOptions & { workers?: number; shard: Shard }): Promise<ShardRuns> {
  const { done, interrupted } = await trainRuns(c, setup, options);
  return { runs: done, interrupted };
}

/** Trains the missing runs (on workers when possible) into the checkpoint; every finished run by index. */
async function trainRuns(
  c: MainJobConfig,
  setup: ModelSetup,
  options: SimulateMainJobOptions & { workers?: number },
): Promise<{ done: Map<number, RunResult[]>; resumedFrom: number; interrupted: boolean }> {
  const done = openRuns(c, options);
  const resumedFrom = done.size;
  const script = fileURLToPath(new URL("./simulateWorker.js", import.meta.url));
  const { interrupted } = await runJobAsync(mainJobRuns(c, setup, options, done), { script, workerData: { config: c }, workers: Math.max(1, options.workers ?? 2) });
  return { done, resumedFrom, interrupted };
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
export function controlVariates(c: MainJobConfig, setup: ModelSetup, runs: number | readonly number[], which: "train" | "test" | "trainSlope"): Float64Array {
  const indices = typeof runs === "number" ? Array.from({ length: runs }, (_, r) => r) : runs;
  const out = new Float64Array(indices.length);
  // Training sets rebuilt a block at a time, so that memory does not hold every run's set at once.
  for (let i = 0; i < indices.length; i += VARIATE_BLOCK) {
    const sets = indices.slice(i, i + VARIATE_BLOCK).map((r) => runSpec(c, setup, r).trainSet);
    out.set(setVariates(setup, sets, which === "train" ? "loss" : which === "test" ? "test slope" : "train slope"), i);
  }
  return out;
}

/** Runs whose training sets {@link controlVariates} rebuilds at once (each variate is per set). */
const VARIATE_BLOCK = 4096;

/**
 * The divergence rule: a run diverged at η when its trainer flagged non-finite weights, or its
 * final test or train loss is not finite or above {@link DIVERGENCE_FACTOR} times
 * `max(1, L0)`, `L0` the test sample's loss at θ0. Such runs are counted per η (with the
 * earliest step known: the trainer's, else the last step T) and never averaged in.
 */
export const DIVERGENCE_FACTOR = 100;

/** The text of the divergence rule, for outputs. */
export const DIVERGENCE_RULE = `non-finite weights or loss, or a final loss above ${DIVERGENCE_FACTOR}·max(1, loss at θ0)`;

/** The loss bound of {@link DIVERGENCE_FACTOR} for a setup: from the test sample's mean loss at θ0. */
export function divergenceBound(setup: PopulationModel): number {
  const l0 = testSampleLossAtInit(setup);
  return DIVERGENCE_FACTOR * (Number.isFinite(l0) ? Math.max(1, Math.abs(l0)) : 1);
}

function summarise(c: MainJobConfig, setup: ModelSetup, done: Map<number, RunResult[]>, resumedFrom: number, interrupted: boolean, t0: number): SimulationResult {
  const T = stepCount(c.schedule);
  const W = firstOrderWeight(c.schedule);
  const runIds = [...done.keys()].filter((r) => r < c.runs).sort((a, b) => a - b);
  const none = runIds.length === 0;
  const bound = none ? Infinity : divergenceBound(setup);
  const offsets = c.loss === "test" || none ? null : controlVariates(c, setup, runIds, "train");
  const trainSlope = offsets === null ? null : controlVariates(c, setup, runIds, "trainSlope");
  const slopes = c.loss === "train" || none ? null : controlVariates(c, setup, runIds, "test");
  const rows = c.etas.map((eta, i): SimulationRow => {
    const vals: number[] = [];
    let diverged = 0;
    let firstStep = Infinity;
    for (const [k, r] of runIds.entries()) {
      const res = done.get(r)![i];
      const step = res.diverged ?? (Number.isFinite(res.test) && Number.isFinite(res.train) && Math.abs(res.test) <= bound && Math.abs(res.train) <= bound ? undefined : T);
      if (step !== undefined) {
        diverged++;
        firstStep = Math.min(firstStep, step);
        continue;
      }
      const v = controlledValue(res, c.loss, eta * W, { trainOffset: offsets?.[k] ?? 0, testSlope: slopes?.[k] ?? 0, trainSlope: () => trainSlope?.[k] ?? 0 });
      if (v !== null) vals.push(v);
    }
    const m = vals.length === 0 ? { mean: NaN, ci95: NaN, runs: 0 } : meanInterval(vals);
    return { eta, etaT: eta * T, mean: m.mean, ci95: m.ci95, runs: m.runs, diverged, firstDivergedStep: Number.isFinite(firstStep) ? firstStep : -1 };
  });
  return {
    quantity: c.loss,
    controlVariate: offsets !== null || slopes !== null,
    rows,
    runsDone: runIds.length,
    runsRequested: c.runs,
    resumedFrom,
    interrupted,
    divergenceRule: DIVERGENCE_RULE,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * The simulation result of finished runs gathered elsewhere (a merge of shards): exactly what
 * {@link simulateMainJobParallel} returns once the same runs are done (`seconds` aside).
 */
export function summariseRuns(c: MainJobConfig, setup: ModelSetup, runs: ReadonlyMap<number, RunResult[]>): SimulationResult {
  return summarise(c, setup, new Map(runs), 0, false, performance.now());
}

/**
 * Ensures the output folder and returns the checkpoint path for this config; a shard has its
 * own file (`….shard-03-of-16.jsonl`), so shards sharing a folder never append to one file.
 */
export function checkpointPath(outDir: string, c: MainJobConfig, shard?: Shard): string {
  const dir = join(outDir, "checkpoints");
  withFsErrors(dir, () => mkdirSync(dir, { recursive: true }));
  return join(dir, `simulate-${simulationKey(c)}${shard === undefined ? "" : `.${shardTag(shard)}`}.jsonl`);
}

