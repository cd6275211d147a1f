/**
 * The one paired-run engine of the harness for the figures: runs seeded per run (named
 * sub-streams), chunked and checkpointed, trained with every optimizer at every η on the same
 * training set; measured means with the harness's control variates.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { type Schedule, sgdSchedule, stepCount } from "../schedule/schedule.js";
import type { RunResult } from "../simulate/runResult.js";
import { type Optimizer, sgdOptimizer } from "../simulate/optimizers.js";
import { type Estimate, type MeanInterval, meanInterval, Z_95 } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";
import { type Checkpoint, runChunks } from "./checkpoint.js";
import { controlledValue, firstOrderWeight, type Quantity } from "./controlVariates.js";
import type { ExperimentContext } from "./experiment.js";
import { drawRun, type Model, type RunDraw } from "./model.js";
import { setVariates } from "./populationStats.js";

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

/**
 * `runs` paired runs, each on its own i.i.d. training set of `N` images, trained with every
 * optimizer at every η (same training set; the batch-order stream is the same seed for every
 * optimizer). Saved in chunks of `chunk` runs in the checkpoint under `key`; returns `null`
 * when interrupted (the finished chunks stay saved).
 */
export function pairedRuns(
  cp: Checkpoint,
  ctx: ExperimentContext,
  key: string,
  model: Model,
  N: number,
  optimizers: readonly Optimizer[] | ((eta: number) => readonly Optimizer[]),
  etas: readonly number[],
  runs: number,
  chunk: number,
  label = key,
): PairedRuns | null {
  const count = Math.ceil(runs / chunk);
  const chunks = runChunks(
    cp,
    ctx,
    key,
    count,
    (i): RunChunk => {
      const n = Math.min(chunk, runs - i * chunk);
      const out: RunResult[][][] = [];
      const sets = chunkSets(ctx.seed, key, i * chunk, n, N, model.populationSize);
      // Models with a batched trainer (LeNet, MLP) train the whole chunk at once per optimizer;
      // each run gets the same batch-order stream as it would run by run.
      const batched =
        typeof optimizers === "function" || model.trainRuns === undefined
          ? null
          : optimizers.map((o) => model.trainRuns!(sets.map((x) => ({ trainSet: x.trainSet, rng: new Rng(x.orderSeed) })), o, etas));
      for (let r = 0; r < n; r++) {
        const { trainSet, orderSeed } = sets[r];
        if (batched !== null) {
          out.push(batched.map((res, o) => res?.[r] ?? model.train(trainSet, (optimizers as readonly Optimizer[])[o], etas, new Rng(orderSeed))));
        } else if (typeof optimizers === "function") {
          // Optimizers that depend on η (e.g. η-specific schedules): one η at a time.
          const perEta = etas.map((eta) => optimizers(eta).map((o) => model.train(trainSet, o, [eta], new Rng(orderSeed))[0]));
          out.push(perEta[0].map((_, o) => perEta.map((row) => row[o])));
        } else {
          out.push(optimizers.map((o) => model.train(trainSet, o, etas, new Rng(orderSeed))));
        }
      }
      return { runs: out };
    },
    label,
  );
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

