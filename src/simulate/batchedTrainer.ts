/**
 * SGD-family training of many independent runs at once, on jax-js.
 *
 * @module
 */
import { InvalidArgumentError, invariant, requireInt } from "../errors.js";
import type { BatchLossFunction } from "../landscapes/imageModels.js";
import {
  completePolicy,
  FAST_POLICY,
  fromFloat64Array,
  grad,
  jit,
  np,
  requireNumerics,
  toFloat64Array,
  type JaxArray,
  type NumericsPolicy,
  type OwnedFunction,
} from "../numerics/index.js";
import { stepCount, type Schedule } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";
import type { RunResult } from "./logisticKernel.js";
import { momentumOf, realiseBatches, stepRates } from "./trainingSteps.js";

/**
 * What {@link trainMany} needs of a model: the per-image losses with an optional leading lane
 * axis on the weights and the data (see `BatchLossFunction`; `ImageModel` provides it), and
 * the features of data-set images.
 */
export interface BatchTrainable {
  /** Number of weights `P`. */
  readonly dim: number;
  /** Features per datum `D`. */
  readonly dataDim: number;
  /** `(θ [L, P], x [S, D] or [L, S, D]) → [L, S]`, consuming both arguments. */
  readonly batchLoss: BatchLossFunction;
  /**
   * `batchLoss` for evaluating (not differentiating) losses in the training dtype, if the model
   * has a cheaper one (a defined model: float32 `tanh` by a rational function); the final test
   * losses of {@link TrainManyOptions.exactTestImages} use it for their full pass.
   */
  readonly evaluationLoss?: BatchLossFunction;
  /** Features of data-set items, row-major `indices.length × D`. */
  featureRows(indices: readonly number[]): Float64Array;
  /**
   * `false` when `batchLoss` reaches lanes only through `vmap` (a defined model without
   * `lanes: true`): the trainer refuses it, because jax-js 0.1.25 gave wrong gradients for a
   * `vmap`ped loss whose lanes share data (several η per run), by ~1e−3 relative after 10 steps.
   */
  readonly lanesNative?: boolean;
}

/** Options of {@link trainMany}. */
export interface TrainManyOptions {
  /**
   * dtype, device and jit choice (missing fields from `FAST_POLICY`).
   *
   * float32 is the default: on the LeNet its error in the final losses is ~1e−6, hundreds of
   * times below the spread of the losses over training sets (a test checks it against
   * float64), and the evaluation runs ~3× faster than in float64.
   * @defaultValue `FAST_POLICY` (float32, wasm, jit)
   */
  readonly policy?: Partial<NumericsPolicy>;
  /**
   * Lanes (one lane = one run at one η) trained together; runs are processed in groups of
   * `⌊maxLanes / etas.length⌋` (at least one run).
   * @defaultValue 256
   */
  readonly maxLanes?: number;
  /**
   * Lanes × images per call when evaluating losses, and per gradient evaluation when a batch
   * is larger than this allows for one step (then the batch gradient is summed over
   * sub-batches). Bounds memory: the LeNet keeps ~10,000 floats per lane-image alive, and
   * jax-js's wasm memory is at most 4 GB; 4096 was the fastest of 1024–16384 on the LeNet.
   * @defaultValue 4096
   */
  readonly maxLaneImages?: number;
  /**
   * dtype, device and jit choice for the *final* test and train losses of each run (missing
   * fields from `policy`, except `dtype`, float64 by default). The weights are converted after
   * the last step; with a float64 jax-js model written with `transcendentalsFor`, the losses
   * then carry every digit whatever the training dtype (float32 training moves the weights, which
   * is a property of the runs; a float32 *evaluation* would add ~1e−7 relative error on top).
   * @defaultValue `{ ...policy, dtype: "float64" }`
   */
  readonly evaluationPolicy?: Partial<NumericsPolicy>;
  /**
   * Test images per run evaluated in float64 for the final *test* loss; the others only in the
   * training dtype. When below the test set's size, a run's test loss is the training-dtype mean
   * over every test image plus the mean float64-minus-training-dtype difference over
   * `exactTestImages` test images drawn without replacement for the run (from its generator,
   * after its batches): an unbiased estimate of the float64 test loss (its expectation over the
   * draw is exactly that), whose noise — the spread of the float32 rounding error over images
   * divided by √`exactTestImages`, ~1e−8 on the LeNet — is part of the run-to-run spread and so
   * of every interval. Costs ~1/3 of an evaluation in float64 on every image (float64 products
   * are ~20× slower than float32 ones on wasm). The train loss is always float64 on every image.
   * @defaultValue every test image (the float64 test loss itself)
   */
  readonly exactTestImages?: number;
  /** Called after each group of runs with the number of runs finished. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Trains `trainSets.length` independent runs of the SGD family at each learning rate in
 * `etas`, vectorised over runs and learning rates, and returns `result[run][k]` for
 * `etas[k]`: the final mean test loss over `testSet` and train loss over the run's training
 * set, or the step at which the weights stopped being finite.
 *
 * Each run follows exactly the update of `trainDirect` (its reference):
 * `v ← βv − η r_t·mean_{n∈b_t} ∇l_{x_n}(θ)`, `θ ← θ + v`, from `theta0`, with the batches of
 * one realisation of `schedule` (`realiseBatches`: shuffled epochs draw their permutations from
 * `rng`), the same for every η of the run (paired comparisons). Realisations are drawn run by
 * run in order, so run `r` uses the same batches as the `r`-th of consecutive `trainDirect`
 * calls sharing `rng`.
 *
 * ## Method
 * A *lane* is one (run, η) pair. The weights of all lanes of a group form one `[L, P]` array
 * that stays on the device; a jit-compiled step evaluates the model's `batchLoss` with a lane
 * axis (each lane on its run's batch), takes the gradient of the sum over lanes (the lanes
 * are independent, so this is every lane's own gradient) and applies the update with
 * per-lane rates `η r_t / |b_t|`. Finiteness is read back after each step. The losses at the
 * end are computed for all lanes of the group against shared chunks of test images.
 *
 * @param theta0 - initial weights, shared by every run (length `P`) or one per run.
 * @param trainSets - per run, the `schedule.N` data-set indices of its training set.
 * @param rng - draws the batch realisations (shuffled epochs): one generator shared by the
 *   runs in order, or one per run (then run `r`'s batches come from `rng[r]` alone, so results
 *   do not depend on how runs are grouped into calls).
 * @param testSet - data-set indices of the test images (non-empty).
 * @throws InvalidArgumentError for inconsistent sizes, bad indices, non-finite η, or bad options.
 *
 * @example
 * ```ts
 * const model = createImageModel("lenet", loadDataset("mnist"));
 * const results = trainMany(model, model.theta0(1), trainSets, testSet, sgdSchedule(10), [0.01, 0.1], new Rng(7));
 * ```
 */
export function trainMany(
  model: BatchTrainable,
  theta0: Float64Array | readonly Float64Array[],
  trainSets: readonly (readonly number[])[],
  testSet: readonly number[],
  schedule: Schedule,
  etas: readonly number[],
  rng: Rng | readonly Rng[],
  options: TrainManyOptions = {},
): RunResult[][] {
  const { onProgress, ...trainerOptions } = options;
  const trainer = new BatchedTrainer(model, trainerOptions, "trainMany");
  try {
    return trainer.train(theta0, trainSets, testSet, schedule, etas, rng, onProgress);
  } finally {
    trainer.dispose();
  }
}

/**
 * {@link trainMany} with its jit-compiled functions kept between calls: for callers that train
 * runs in many calls (a simulation writing a checkpoint after each group of runs), where
 * recompiling per call would cost ~1–3 s each on the LeNet. Call {@link BatchedTrainer.dispose}
 * when done.
 */
export class BatchedTrainer {
  readonly policy: NumericsPolicy;
  /** Policy of the final-loss evaluation ({@link TrainManyOptions.evaluationPolicy}). */
  readonly evaluationPolicy: NumericsPolicy;
  readonly maxLanes: number;
  readonly maxLaneImages: number;
  /** {@link TrainManyOptions.exactTestImages} (`Infinity`: all). */
  readonly exactTestImages: number;
  readonly #fns = new Map<boolean, TrainingFunctions>();

  /** @throws InvalidArgumentError for bad options. */
  constructor(
    readonly model: BatchTrainable,
    options: Omit<TrainManyOptions, "onProgress"> = {},
    readonly where = "BatchedTrainer",
  ) {
    if (model.lanesNative === false) {
      throw new InvalidArgumentError(where, "model", "a model whose loss broadcasts lanes itself (a definition with lanes: true); train others run by run (trainWithOptimizer)", "a model without lanes");
    }
    this.policy = completePolicy({ ...FAST_POLICY, ...options.policy }, where);
    this.evaluationPolicy = completePolicy({ ...this.policy, dtype: "float64", ...options.evaluationPolicy }, where);
    this.maxLanes = requireInt(options.maxLanes ?? 256, where, "options.maxLanes", 1, 1 << 20);
    this.maxLaneImages = requireInt(options.maxLaneImages ?? 4096, where, "options.maxLaneImages", 1, 1 << 26);
    this.exactTestImages = options.exactTestImages === undefined ? Infinity : requireInt(options.exactTestImages, where, "options.exactTestImages", 1, 1 << 30);
  }

  /** Runs trained per lane group: `⌊maxLanes / etaCount⌋` (at least 1). */
  runsPerGroup(etaCount: number): number {
    return Math.max(1, Math.floor(this.maxLanes / Math.max(1, etaCount)));
  }

  /** Frees the compiled functions; the trainer stays usable (it recompiles on demand). */
  dispose(): void {
    for (const f of this.#fns.values()) f.dispose();
    this.#fns.clear();
  }

  #functions(momentum: boolean): TrainingFunctions {
    let f = this.#fns.get(momentum);
    if (f === undefined) this.#fns.set(momentum, (f = new TrainingFunctions(this.model, momentum, this.policy.jit)));
    return f;
  }

  /**
   * As {@link trainMany} (same arguments, checks and result), reusing compiled functions.
   * @param onProgress - called after each group of runs with the number of runs finished.
   */
  train(
    theta0: Float64Array | readonly Float64Array[],
    trainSets: readonly (readonly number[])[],
    testSet: readonly number[],
    schedule: Schedule,
    etas: readonly number[],
    rng: Rng | readonly Rng[],
    onProgress?: (done: number, total: number) => void,
  ): RunResult[][] {
    const where = this.where;
    requireNumerics(where);
    const model = this.model;
    const P = model.dim;
    const D = model.dataDim;
    const policy = this.policy;
    const maxLanes = this.maxLanes;
    const maxLaneImages = this.maxLaneImages;
    const N = schedule.N;
    const R = trainSets.length;
    const E = etas.length;
    const inits = perRunInits(theta0, R, P, where);
    trainSets.forEach((s, r) => {
      if (!Array.isArray(s) || s.length !== N) throw new InvalidArgumentError(where, `trainSets[${r}]`, `a list of N = ${N} indices`, s?.length);
    });
    if (!Array.isArray(testSet) || testSet.length === 0) throw new InvalidArgumentError(where, "testSet", "a non-empty list of indices", testSet);
    etas.forEach((eta, k) => {
      if (typeof eta !== "number" || !Number.isFinite(eta)) throw new InvalidArgumentError(where, `etas[${k}]`, "a finite number", eta);
    });
    const rngs = Array.isArray(rng) ? (rng as readonly Rng[]) : null;
    if (rngs !== null && rngs.length !== R) throw new InvalidArgumentError(where, "rng", `one generator or one per run (${R})`, `${rngs.length} generators`);
    if (R === 0 || E === 0) return trainSets.map(() => []);
    const T = stepCount(schedule);
    const rates = stepRates(schedule);
    const beta = momentumOf(schedule);
    const batches = trainSets.map((_, r) => realiseBatches(schedule, rngs === null ? (rng as Rng) : rngs[r]));
    const testRows = model.featureRows(testSet); // validates the indices once
    // Test images evaluated in float64 per run (drawn after every run's batches), or null: all of them.
    const allExact = this.exactTestImages >= testSet.length || this.evaluationPolicy.dtype === policy.dtype;
    const exactDraws = allExact ? null : trainSets.map((_, r) => sampleWithoutReplacement(rngs === null ? (rng as Rng) : rngs[r], testSet.length, this.exactTestImages));

    const fns = this.#functions(beta > 0);
    const results: RunResult[][] = [];
    const runsPerGroup = Math.max(1, Math.floor(maxLanes / E));
    for (let r0 = 0; r0 < R; r0 += runsPerGroup) {
      const runs = Array.from({ length: Math.min(runsPerGroup, R - r0) }, (_, g) => r0 + g);
      const G = runs.length;
      const L = G * E;
      const thetaHost = new Float64Array(L * P);
      runs.forEach((r, g) => {
        for (let e = 0; e < E; e++) thetaHost.set(inits[r], (g * E + e) * P);
      });
      let theta = fromFloat64Array(thetaHost, policy, [L, P]);
      let velocity = beta > 0 ? fromFloat64Array(new Float64Array(L * P), policy, [L, P]) : null;
      const divergedAt = new Int32Array(L).fill(-1);
      try {
        for (let t = 0; t < T; t++) {
          const B = batches[runs[0]][t].length;
          const x = new Float64Array(G * B * D);
          runs.forEach((r, g) => {
            const b = batches[r][t];
            invariant(b.length === B, () => `batch sizes differ across runs at step ${t}`);
            x.set(model.featureRows(b.map((m) => trainSets[r][m])), g * B * D);
          });
          const lr = new Float64Array(L);
          for (let l = 0; l < L; l++) lr[l] = (etas[l % E] * rates[t]) / B;
          const rate = fromFloat64Array(lr, policy, [L, 1]);
          const momentumArgs = velocity === null ? [] : [velocity, fromFloat64Array([beta], policy, [])];
          let out: JaxArray[];
          if (L * B <= maxLaneImages) {
            out = fns.step(E, "fused")(theta, fromFloat64Array(x, policy, [G, B, D]), rate, ...momentumArgs);
          } else {
            // Large batches (e.g. GD on many points): sum the gradient over sub-batches first.
            const gradientSum = fns.gradientSum(theta.ref, x, G, B, maxLaneImages, policy);
            out = fns.step(E, "apply")(theta, gradientSum, rate, ...momentumArgs);
          }
          [theta, velocity] = [out[0], velocity === null ? null : out[2]];
          const finite = toFloat64Array(out[1]);
          for (let l = 0; l < L; l++) if (divergedAt[l] < 0 && finite[l] === 0) divergedAt[l] = t;
        }
        // The final losses in the evaluation policy's dtype (float64 by default), whatever the
        // training dtype: they are what the runs report and what predictions are compared with.
        const evaluation = this.evaluationPolicy;
        const final = evaluation.dtype === policy.dtype ? theta.ref : theta.ref.astype(evaluation.dtype === "float64" ? np.float64 : np.float32);
        const testLoss =
          exactDraws === null
            ? fns.meanLosses(final.ref, testRows, testSet.length, null, maxLaneImages, evaluation)
            : correctedTestLosses(fns, theta.ref, final.ref, testRows, runs.map((r) => exactDraws[r]), E, maxLaneImages, policy, evaluation);
        const trainRows = new Float64Array(G * N * D);
        runs.forEach((r, g) => trainRows.set(model.featureRows(trainSets[r]), g * N * D));
        const trainLoss = fns.meanLosses(final, trainRows, N, E, maxLaneImages, evaluation);
        runs.forEach((_, g) => {
          results.push(
            etas.map((eta, e): RunResult => {
              const l = g * E + e;
              if (divergedAt[l] >= 0) return { eta, diverged: divergedAt[l] };
              const test = testLoss[l];
              const train = trainLoss[l];
              return Number.isFinite(test) && Number.isFinite(train) ? { eta, test, train } : { eta, diverged: T };
            }),
          );
        });
      } finally {
        theta.dispose();
        velocity?.dispose();
      }
      onProgress?.(r0 + G, R);
    }
    return results;
  }
}

/** `m` distinct indices of `0..n−1`, uniformly (a partial Fisher–Yates shuffle), in draw order. */
export function sampleWithoutReplacement(rng: Rng, n: number, m: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p.slice(0, m);
}

/**
 * Per-lane test losses: the training-dtype mean over every test image (`theta`, training dtype)
 * plus, per run, the mean of float64 minus training-dtype losses over its drawn images
 * (`final`, the same weights in float64): see {@link TrainManyOptions.exactTestImages}. The
 * training-dtype losses of the drawn images are those of the full pass itself (per-image
 * losses are read back), so the correction's expectation over the draw is exactly the float64
 * minus training-dtype mean. Consumes `theta` and `final`.
 */
function correctedTestLosses(
  fns: TrainingFunctions,
  theta: JaxArray,
  final: JaxArray,
  testRows: Float64Array,
  draws: readonly Int32Array[],
  E: number,
  maxLaneImages: number,
  policy: NumericsPolicy,
  evaluation: NumericsPolicy,
): Float64Array {
  const D = fns.model.dataDim;
  const n = testRows.length / D;
  const m = draws[0].length;
  const L = draws.length * E;
  let bulk: Float64Array;
  try {
    bulk = fns.imageLosses(theta, testRows, n, null, maxLaneImages, policy);
  } catch (e) {
    final.dispose();
    throw e;
  }
  const drawnRows = new Float64Array(draws.length * m * D);
  draws.forEach((d, g) => d.forEach((i, j) => drawnRows.set(testRows.subarray(i * D, (i + 1) * D), (g * m + j) * D)));
  const exact = fns.imageLosses(final, drawnRows, m, E, maxLaneImages, evaluation);
  const out = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    const d = draws[Math.floor(l / E)];
    let all = 0;
    for (let i = 0; i < n; i++) all += bulk[l * n + i];
    let correction = 0;
    for (let j = 0; j < m; j++) correction += exact[l * m + j] - bulk[l * n + d[j]];
    out[l] = all / n + correction / m;
  }
  return out;
}

function perRunInits(theta0: Float64Array | readonly Float64Array[], R: number, P: number, where: string): Float64Array[] {
  if (theta0 instanceof Float64Array) {
    if (theta0.length !== P) throw new InvalidArgumentError(where, "theta0.length", `${P}`, theta0.length);
    return Array.from({ length: R }, () => theta0);
  }
  if (!Array.isArray(theta0) || theta0.length !== R) {
    throw new InvalidArgumentError(where, "theta0", `a Float64Array of length ${P} or one per run (${R})`, theta0);
  }
  return theta0.map((t, r) => {
    if (!(t instanceof Float64Array) || t.length !== P) throw new InvalidArgumentError(where, `theta0[${r}]`, `a Float64Array of length ${P}`, t);
    return t;
  });
}

type StepFunction = (...args: JaxArray[]) => JaxArray[];
type LossSumFunction = (theta: JaxArray, x: JaxArray, w: JaxArray) => JaxArray;
type Compiled<F extends Function> = F | OwnedFunction<F>;

/** The jit-compiled functions of one {@link trainMany} call (disposed at its end). */
class TrainingFunctions {
  readonly #steps = new Map<string, Compiled<StepFunction>>();
  readonly #gradientSums = new Map<number, Compiled<LossSumFunction>>();
  readonly #sums = new Map<string, Compiled<LossSumFunction>>();
  readonly #perImage = new Map<string, Compiled<(theta: JaxArray, x: JaxArray) => JaxArray>>();

  constructor(
    readonly model: BatchTrainable,
    readonly momentum: boolean,
    readonly useJit: boolean,
  ) {}

  /**
   * One update of every lane, consuming every argument:
   * - `"fused"`: `(θ [L, P], x [G, B, D], rate [L, 1], (v [L, P], β [])?)`, where lane
   *   `g·E + e` trains on `x[g]` and the gradient is taken inside;
   * - `"apply"`: `(θ, Σ_b ∇l [L, P], rate, (v, β)?)` with the batch gradient sums given;
   * returning `[θ', finite [L], v'?]` (`v' = βv − rate·Σ∇l`, `θ' = θ + v'`; without momentum
   * `θ' = θ − rate·Σ∇l`).
   */
  step(E: number, mode: "fused" | "apply"): StepFunction {
    const key = `${mode}/${E}`;
    let fn = this.#steps.get(key);
    if (fn === undefined) {
      const momentum = this.momentum;
      const f: StepFunction = (theta, data, rate, velocity?, beta?) => {
        const g = mode === "apply" ? data : this.#laneGradientSum(theta.ref, data, E, null);
        const update = g.mul(rate);
        let next: JaxArray;
        let v: JaxArray | null = null;
        if (momentum) {
          invariant(velocity !== undefined && beta !== undefined, () => "momentum step without velocity");
          v = velocity.mul(beta).sub(update);
          next = theta.add(v.ref);
        } else {
          next = theta.sub(update);
        }
        const finite = np.isfinite(next.ref).all(-1);
        return v === null ? [next, finite] : [next, finite, v];
      };
      fn = this.useJit ? (jit(f) as unknown as OwnedFunction<StepFunction>) : f;
      this.#steps.set(key, fn);
    }
    return fn;
  }

  /**
   * `Σ_b ∇l(θ_ℓ, x_{g,b})` per lane (`[L, P]`), in sub-batches of at most `maxLaneImages / L`
   * images (zero-weight padding rows keep one compiled shape). Consumes `theta`.
   */
  gradientSum(theta: JaxArray, x: Float64Array, G: number, B: number, maxLaneImages: number, policy: NumericsPolicy): JaxArray {
    const L = theta.shape[0];
    const D = this.model.dataDim;
    const E = L / G;
    const chunk = Math.max(1, Math.floor(maxLaneImages / L));
    let fn = this.#gradientSums.get(E);
    if (fn === undefined) {
      const f: LossSumFunction = (t, xs, w) => this.#laneGradientSum(t, xs, E, w);
      fn = this.useJit ? jit(f) : f;
      this.#gradientSums.set(E, fn);
    }
    let total: JaxArray | null = null;
    try {
      for (let start = 0; start < B; start += chunk) {
        const n = Math.min(chunk, B - start);
        const xs = new Float64Array(G * chunk * D);
        for (let g = 0; g < G; g++) xs.set(x.subarray((g * B + start) * D, (g * B + start + n) * D), g * chunk * D);
        const w = new Float64Array(chunk).fill(1, 0, n);
        const part: JaxArray = fn(theta.ref, fromFloat64Array(xs, policy, [G, chunk, D]), fromFloat64Array(w, policy, [chunk]));
        total = total === null ? part : total.add(part);
      }
    } finally {
      theta.dispose();
    }
    invariant(total !== null, () => "empty batch");
    return total;
  }

  /**
   * `∂/∂θ Σ_{ℓ,b} w_b l(θ_ℓ, x_{⌊ℓ/E⌋, b})`: the lanes are independent, so row `ℓ` is lane `ℓ`'s
   * own (weighted) gradient sum. `x [G, B, D]`; `w [B]` or `null` for all ones. Consumes all.
   */
  #laneGradientSum(theta: JaxArray, x: JaxArray, E: number, w: JaxArray | null): JaxArray {
    const [G, B, D] = x.shape;
    const xLanes = np.broadcastTo(x.reshape([G, 1, B, D]), [G, E, B, D]).reshape([G * E, B, D]);
    const total = (t: JaxArray): JaxArray => {
      const losses = this.model.batchLoss(t, xLanes);
      return (w === null ? losses : losses.mul(w)).sum();
    };
    return grad(total)(theta);
  }

  /**
   * Mean loss per lane over images, in chunks of at most `maxLaneImages / L` images.
   *
   * `rows` holds `count` images shared by every lane (`perRun === null`), or `count` images per
   * run for `L / perRun` runs, each shared by the run's `perRun` consecutive lanes. Does not
   * consume `theta` beyond the one reference passed in.
   */
  meanLosses(
    theta: JaxArray,
    rows: Float64Array,
    count: number,
    perRun: number | null,
    maxLaneImages: number,
    policy: NumericsPolicy,
  ): Float64Array {
    const L = theta.shape[0];
    const D = this.model.dataDim;
    const runs = perRun === null ? 1 : L / perRun;
    const chunk = Math.max(1, Math.min(count, Math.floor(maxLaneImages / L)));
    const total = new Float64Array(L);
    try {
      for (let start = 0; start < count; start += chunk) {
        const n = Math.min(chunk, count - start);
        const x = new Float64Array(runs * chunk * D);
        for (let r = 0; r < runs; r++) {
          x.set(rows.subarray((r * count + start) * D, (r * count + start + n) * D), r * chunk * D);
        }
        const w = new Float64Array(chunk);
        w.fill(1, 0, n);
        const shape = perRun === null ? [chunk, D] : [runs, chunk, D];
        const sums = toFloat64Array(
          this.#lossSum(perRun)(theta.ref, fromFloat64Array(x, policy, shape), fromFloat64Array(w, policy, [chunk])),
        );
        for (let l = 0; l < L; l++) total[l] += sums[l];
      }
    } finally {
      theta.dispose();
    }
    for (let l = 0; l < L; l++) total[l] /= count;
    return total;
  }

  /**
   * Per-lane, per-image losses, row-major `[L, count]` (lane `ℓ`'s losses of its images), in
   * chunks of at most `maxLaneImages / L` images (the last padded with zero rows, whose losses
   * are dropped); `rows` and `perRun` as in {@link TrainingFunctions.meanLosses}. Consumes `theta`.
   */
  imageLosses(theta: JaxArray, rows: Float64Array, count: number, perRun: number | null, maxLaneImages: number, policy: NumericsPolicy): Float64Array {
    const L = theta.shape[0];
    const D = this.model.dataDim;
    const runs = perRun === null ? 1 : L / perRun;
    const chunk = Math.max(1, Math.min(count, Math.floor(maxLaneImages / L)));
    const out = new Float64Array(L * count);
    try {
      for (let start = 0; start < count; start += chunk) {
        const n = Math.min(chunk, count - start);
        const x = new Float64Array(runs * chunk * D);
        for (let r = 0; r < runs; r++) x.set(rows.subarray((r * count + start) * D, (r * count + start + n) * D), r * chunk * D);
        const shape = perRun === null ? [chunk, D] : [runs, chunk, D];
        const losses = toFloat64Array(this.#losses(perRun, policy.dtype !== "float64")(theta.ref, fromFloat64Array(x, policy, shape)));
        for (let l = 0; l < L; l++) out.set(losses.subarray(l * chunk, l * chunk + n), l * count + start);
      }
    } finally {
      theta.dispose();
    }
    return out;
  }

  /**
   * `(θ [L, P], x [S, D] or [G, S, D]) → l(θ_ℓ, x_s)` `[L, S]`, data shared by lanes as in
   * {@link TrainingFunctions.meanLosses}; with `evaluation`, the model's `evaluationLoss`.
   */
  #losses(perRun: number | null, evaluation: boolean): Compiled<(theta: JaxArray, x: JaxArray) => JaxArray> {
    const key = `${perRun}/${evaluation}`;
    let fn = this.#perImage.get(key);
    if (fn === undefined) {
      const loss = evaluation ? (this.model.evaluationLoss ?? this.model.batchLoss) : this.model.batchLoss;
      const f = (theta: JaxArray, x: JaxArray): JaxArray => loss(theta, perRun === null ? x : laneRows(x, perRun));
      fn = this.useJit ? jit(f) : f;
      this.#perImage.set(key, fn);
    }
    return fn;
  }

  /** `(θ [L, P], x [S, D] or [G, S, D], w [S]) → Σ_s w_s l(θ_ℓ, x_s)` per lane. */
  #lossSum(perRun: number | null): Compiled<LossSumFunction> {
    const key = `${perRun}`;
    let fn = this.#sums.get(key);
    if (fn === undefined) {
      const model = this.model;
      const f: LossSumFunction = (theta, x, w) => {
        return model.batchLoss(theta, perRun === null ? x : laneRows(x, perRun)).mul(w).sum(-1);
      };
      fn = this.useJit ? jit(f) : f;
      this.#sums.set(key, fn);
    }
    return fn;
  }

  dispose(): void {
    for (const f of [...this.#steps.values(), ...this.#sums.values(), ...this.#perImage.values(), ...this.#gradientSums.values()]) {
      if ("dispose" in f && typeof f.dispose === "function") f.dispose();
    }
    this.#steps.clear();
    this.#sums.clear();
    this.#perImage.clear();
    this.#gradientSums.clear();
  }
}

/** `x [G, S, D]` → `[G·perRun, S, D]`: run `g`'s rows for each of its `perRun` consecutive lanes. Consumes `x`. */
function laneRows(x: JaxArray, perRun: number): JaxArray {
  const [G, S, D] = x.shape;
  return np.broadcastTo(x.reshape([G, 1, S, D]), [G, perRun, S, D]).reshape([G * perRun, S, D]);
}
