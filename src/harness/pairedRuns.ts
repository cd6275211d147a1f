/**
 * Paired runs of the figures: runs seeded per run (named sub-streams), trained with every
 * optimizer at every η on the same training set, chunked and checkpointed by the harness's one
 * run engine (`runEngine.ts`, which also drives the main job); measured means with the
 * harness's control variates.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { sgdSchedule, stepCount } from "../schedule/schedule.js";
import type { RunResult } from "../simulate/runResult.js";
import { type Optimizer, sgdOptimizer } from "../simulate/optimizers.js";
import { type Estimate, type MeanInterval, meanInterval, Z_95 } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";
import { type Checkpoint, experimentJob, storedChunks } from "./checkpoint.js";
import { controlledValue, firstOrderWeight, type Quantity } from "./controlVariates.js";
import type { ExperimentContext } from "./experiment.js";
import { drawRun, type Model, type RunDraw } from "./model.js";
import { setVariates } from "./populationStats.js";
import { runJobAsync } from "./runEngine.js";

/** Results of paired runs: `results[run][optimizer][eta]`. */
export interface PairedRuns {
  readonly results: readonly (readonly (readonly RunResult[])[])[];
  readonly etas: readonly number[];
  /**
   * Per run, the train loss at initialisation on that run's training set minus its
   * expectation (the population mean): a control variate with known mean 0 that
   * {@link measured} subtracts from train losses and gaps.
   */
  readonly initTrainOffset: readonly number[];
  /**
   * Per run, `G_S·(ḡ_r − G)` at `θ0` (`ḡ_r` the training set's mean gradient, `G` the
   * population's, `G_S` the test sample's; exact population means): mean 0 over training sets.
   * `−ηW·testSlope[r]` is the run's first-order fluctuation of the test loss (`W` the
   * optimizer's {@link firstOrderWeight}), which {@link measured} removes.
   */
  readonly testSlope: readonly number[];
  /**
   * Per run, `|ḡ_r|² − E|ḡ|²` at `θ0` (`E|ḡ|² = |G|² + (E|g|² − |G|²)/N`, exact): mean 0;
   * `−ηW` times it is the first-order fluctuation of the train loss beyond `initTrainOffset`.
   * Computed on first use (one gradient per training datum).
   */
  trainSlope(): readonly number[];
  /** `firstOrderWeight` of each optimizer at each η: `weights[o][i]`. */
  readonly weights: readonly (readonly number[])[];
}

/** The training sets and batch-order seeds of runs `from..from+n−1` of the family `key` ({@link drawRun}). */
function chunkSets(seed: number, key: string, from: number, n: number, N: number, populationSize: number): RunDraw[] {
  return Array.from({ length: n }, (_, r) => drawRun(seed, key, from + r, N, populationSize));
}

interface RunChunk {
  readonly runs: RunResult[][][];
}

/** The optimizers of paired runs: one list, or one list per η (e.g. η-specific schedules). */
type PairedOptimizers = readonly Optimizer[] | ((eta: number) => readonly Optimizer[]);

/**
 * Runs `from..to−1` of the family `key`, each on its own training set, trained with every
 * optimizer at every η: `[run][optimizer][eta]`. Models with a batched trainer (LeNet, MLP)
 * train the whole chunk at once per optimizer; each run gets the same batch-order stream as it
 * would run by run.
 */
function trainChunk(seed: number, key: string, model: Model, N: number, optimizers: PairedOptimizers, etas: readonly number[], from: number, to: number): RunResult[][][] {
  const sets = chunkSets(seed, key, from, to - from, N, model.populationSize);
  if (typeof optimizers === "function") {
    // Optimizers that depend on η: one η at a time.
    return sets.map(({ trainSet, orderSeed }) => {
      const perEta = etas.map((eta) => optimizers(eta).map((o) => model.train(trainSet, o, [eta], new Rng(orderSeed))[0]));
      return perEta[0].map((_, o) => perEta.map((row) => row[o]));
    });
  }
  const batched = model.trainRuns === undefined ? null : optimizers.map((o) => model.trainRuns!(sets.map((x) => ({ trainSet: x.trainSet, rng: new Rng(x.orderSeed) })), o, etas));
  return sets.map(({ trainSet, orderSeed }, r) =>
    optimizers.map((o, k) => batched?.[k]?.[r] ?? model.train(trainSet, o, etas, new Rng(orderSeed))),
  );
}

/**
 * `runs` paired runs, each on its own i.i.d. training set of `N` images, trained with every
 * optimizer at every η (same training set; the batch-order stream is the same seed for every
 * optimizer), on the harness's run engine ({@link runJobAsync}, in this thread): saved in
 * chunks of `chunk` runs in the checkpoint under `key`, a shard's own chunks only. Returns
 * `null` when interrupted or when other shards' chunks are missing (the finished chunks stay
 * saved).
 */
export async function pairedRuns(
  cp: Checkpoint,
  ctx: ExperimentContext,
  key: string,
  model: Model,
  N: number,
  optimizers: PairedOptimizers,
  etas: readonly number[],
  runs: number,
  chunk: number,
  label = key,
): Promise<PairedRuns | null> {
  const stage = { runs, size: chunk, label, wrap: (results: readonly RunResult[][][]): RunChunk => ({ runs: [...results] }) };
  const job = experimentJob(cp, ctx, key, stage, (from, to) => trainChunk(ctx.seed, key, model, N, optimizers, etas, from, to));
  const { interrupted } = await runJobAsync(job);
  const chunks = storedChunks<RunChunk>(cp, ctx, key, Math.ceil(runs / chunk), label, interrupted);
  if (chunks === null) return null;
  // The training sets again (resumed chunks store only their results): same seeds as above.
  const sets = chunkSets(ctx.seed, key, 0, runs, N, model.populationSize).map((x) => x.trainSet);
  const testSlope = Array.from(setVariates(model, sets, "test slope"));
  let trainSlope: number[] | undefined;
  const weightsAt = (os: readonly Optimizer[]) => os.map((o) => firstOrderWeight(o.schedule));
  const weights =
    typeof optimizers === "function"
      ? (() => {
          const perEta = etas.map((eta) => weightsAt(optimizers(eta)));
          return perEta[0].map((_, o) => perEta.map((w) => w[o]));
        })()
      : weightsAt(optimizers).map((w) => etas.map(() => w));
  return {
    results: chunks.flatMap((c) => c.runs),
    etas,
    initTrainOffset: Array.from(setVariates(model, sets, "loss")),
    testSlope,
    trainSlope: () => (trainSlope ??= Array.from(setVariates(model, sets, "train slope"))),
    weights,
  };
}

function valueOf(p: PairedRuns, run: number, o: number, i: number, q: Quantity): number | null {
  // Minus zero-mean control variates from the run's training set at θ0 (its train loss at init
  // and the first-order fluctuations, see PairedRuns): same expectation, much less variance.
  return controlledValue(p.results[run][o][i], q, p.etas[i] * p.weights[o][i], {
    trainOffset: p.initTrainOffset[run],
    testSlope: p.testSlope[run],
    trainSlope: () => p.trainSlope()[run],
  });
}

/** Each run's value of optimizer `o` at η index `i` (control variates applied; null: diverged), in run order. */
export function runValues(p: PairedRuns, o: number, i: number, q: Quantity): (number | null)[] {
  return p.results.map((_, run) => valueOf(p, run, o, i, q));
}

/** Mean ± 95% half-width over runs of optimizer `o` at η index `i` (diverged runs counted apart). */
export function measured(p: PairedRuns, o: number, i: number, q: Quantity): MeanInterval & { diverged: number } {
  const xs: number[] = [];
  let diverged = 0;
  for (const v of runValues(p, o, i, q)) {
    if (v === null) diverged++;
    else xs.push(v);
  }
  return { ...meanInterval(xs), diverged };
}

/** Paired difference (optimizer `a` − optimizer `b`) at η index `i` over runs where both finished. */
export function pairedDiff(p: PairedRuns, a: number, b: number, i: number, q: Quantity, runs?: readonly number[]): MeanInterval {
  const xs: number[] = [];
  for (const r of runs ?? p.results.map((_, k) => k)) {
    const x = valueOf(p, r, a, i, q);
    const y = valueOf(p, r, b, i, q);
    if (x !== null && y !== null) xs.push(x - y);
  }
  return meanInterval(xs);
}

/** Whether a prediction `value ± se` agrees with a measurement `mean ± ci95` (both errors combined). */
export function agrees(pred: Estimate, meas: { mean: number; ci95: number }): boolean {
  const half = Math.sqrt(meas.ci95 ** 2 + (Z_95 * pred.stderr) ** 2);
  return Math.abs(pred.value - meas.mean) <= half;
}

/** The SGD optimizer of `N` points, `E` epochs, optionally with per-step rate `1/E`. */
export function epochOptimizer(N: number, epochs: number, scaled: boolean, shuffle = false): Optimizer {
  const T = N * epochs;
  return sgdOptimizer(
    sgdSchedule(N, { epochs, shuffle, ...(scaled && epochs > 1 ? { etaScale: new Array<Rational>(T).fill(Rational.of(1, epochs)) } : {}) }),
  );
}

/** `T` of an optimizer's schedule. */
export function optimizerSteps(o: Optimizer): number {
  return stepCount(o.schedule);
}

