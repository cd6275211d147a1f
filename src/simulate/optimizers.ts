/**
 * Optimizers beyond plain SGD (applications.md §B, §E) as values that trainers interpret:
 * the SGD family of a {@link Schedule}, GDC (GD plus the `β·trC` regularizer) and the
 * Hessian-preconditioned update; and a generic trainer over any {@link DerivativeOracle}.
 *
 * @module
 */
import { InvalidArgumentError, requireFinite } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { gdSchedule, type Schedule, stepCount } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";
import { type CovarianceEstimator, gdcBeta, gdcDirection, meanOracleGradient } from "./gdc.js";
import { hessianPreconditionedStep } from "./hessianUpdate.js";
import type { RunResult } from "./logisticKernel.js";
import { momentumOf, realiseBatches, stepRates } from "./trainingSteps.js";

/**
 * An update rule with its batches:
 * - `sgd`: the SGD family of `schedule` (batches, epochs, shuffling, GD, momentum, per-step rates);
 * - `gdc`: the batches of `schedule` (normally GD on all `N`) with the GDC direction
 *   `ḡ + β·∇trĈ` (split-half: `∇trĈ = B·H0(g0 − g1)`), `β = betaScale·η(N−1)/(4N)` (applications.md §B; `betaScale = 1` is
 *   the theoretical β, 0 is plain GD); `estimator` picks the unbiased covariance estimate
 *   (default `"split-half"`, see {@link CovarianceEstimator});
 * - `hessian`: `θ ← θ − η_t(I + λη_t H_t)^{-1} g_t` on the batches of `schedule` (§E).
 */
export type Optimizer =
  | { readonly kind: "sgd"; readonly schedule: Schedule }
  | { readonly kind: "gdc"; readonly schedule: Schedule; readonly betaScale: number; readonly estimator?: CovarianceEstimator }
  | { readonly kind: "hessian"; readonly schedule: Schedule; readonly lambda: number };

/** The SGD family of a schedule. */
export function sgdOptimizer(schedule: Schedule): Optimizer {
  return { kind: "sgd", schedule };
}

/**
 * GDC: GD on `N` points for `T` steps on `l + β·trĈ`, `β = betaScale·η(N−1)/(4N)`.
 * @throws InvalidArgumentError for odd `N` (the batch is split into halves) or a non-finite `betaScale`.
 */
export function gdcOptimizer(N: number, T: number, betaScale = 1, estimator: CovarianceEstimator = "split-half"): Optimizer {
  const o: Optimizer = { kind: "gdc", schedule: gdSchedule(N, T), betaScale, ...(estimator === "split-half" ? {} : { estimator }) };
  validateOptimizer(o, "gdcOptimizer");
  return o;
}

/** The Hessian-preconditioned update with strength `λ` on the batches of `schedule`. */
export function hessianOptimizer(schedule: Schedule, lambda: number): Optimizer {
  const o: Optimizer = { kind: "hessian", schedule, lambda };
  validateOptimizer(o, "hessianOptimizer");
  return o;
}

/** The optimizer's `β` at learning rate `η` (0 unless GDC). */
export function optimizerBeta(o: Optimizer, eta: number): number {
  return o.kind === "gdc" ? o.betaScale * gdcBeta(eta, o.schedule.N) : 0;
}

/** A short label, e.g. `"gdc(β×1)"`. */
export function optimizerLabel(o: Optimizer): string {
  if (o.kind === "gdc") return `gdc(β×${o.betaScale}${o.estimator === "sample-covariance" ? ", sample covariance" : ""})`;
  if (o.kind === "hessian") return `hessian(λ=${o.lambda})`;
  const s = o.schedule;
  if (s.kind === "gd") return "gd";
  const m = s.momentum === undefined ? "" : `, momentum ${s.momentum.toNumber()}`;
  return s.kind === "sgd" ? `sgd(B=${s.batch}, E=${s.epochs}${s.shuffle ? ", shuffled" : ""}${m})` : `custom${m}`;
}

/**
 * Checks an optimizer: GDC needs every batch of even size and no momentum; the Hessian update
 * takes no momentum; `betaScale`, `lambda` finite.
 * @throws InvalidArgumentError naming `where`.
 */
export function validateOptimizer(o: Optimizer, where: string): void {
  if (o.kind === "sgd") return;
  if (o.schedule.momentum !== undefined) throw new InvalidArgumentError(where, "schedule.momentum", `absent for ${o.kind}`, o.schedule.momentum.toString());
  if (o.kind === "gdc") {
    requireFinite(o.betaScale, where, "betaScale");
    if (o.estimator !== undefined && o.estimator !== "split-half" && o.estimator !== "sample-covariance") {
      throw new InvalidArgumentError(where, "estimator", '"split-half" or "sample-covariance"', o.estimator);
    }
    const s = o.schedule;
    const sizes = s.kind === "gd" ? [s.N] : s.kind === "sgd" ? [s.batch] : s.batches.map((b) => b.length);
    const split = o.estimator !== "sample-covariance";
    if (stepCount(s) > 0 && sizes.some((b) => b < 2 || (split && b % 2 !== 0))) {
      const need = split ? "batches of even size ≥ 2 (the split-half estimator halves each batch)" : "batches of size ≥ 2";
      throw new InvalidArgumentError(where, "schedule", need, sizes.join(","));
    }
  } else {
    requireFinite(o.lambda, where, "lambda", 0);
  }
}

/** Options of {@link trainWithOptimizer}. */
export interface TrainOptions {
  /** Conjugate-gradient iterations of the Hessian update. @defaultValue 20 */
  readonly cgIterations?: number;
}

/**
 * Trains any model given by a {@link DerivativeOracle} directly on the weights with
 * `optimizer` at each learning rate (same training set and batch order: paired), returning
 * the final test loss (mean over `testSet`) and train loss, or the step at which the weights
 * stopped being finite. The reference implementation the model-specific trainers are checked
 * against.
 *
 * @throws InvalidArgumentError when `train` does not have `N` data or the optimizer is invalid.
 */
export function trainWithOptimizer<X>(
  oracle: DerivativeOracle<X>,
  theta0: Float64Array,
  train: readonly X[],
  testSet: readonly X[],
  optimizer: Optimizer,
  etas: readonly number[],
  rng: Rng,
  options: TrainOptions = {},
): RunResult[] {
  const where = "trainWithOptimizer";
  validateOptimizer(optimizer, where);
  const schedule = optimizer.schedule;
  if (train.length !== schedule.N) throw new InvalidArgumentError(where, "train", `${schedule.N} data`, train.length);
  const batches = realiseBatches(schedule, rng);
  const rates = stepRates(schedule);
  const momentum = momentumOf(schedule);
  return etas.map((eta): RunResult => {
    const theta = Float64Array.from(theta0);
    const v = new Float64Array(theta.length);
    const beta = optimizerBeta(optimizer, eta);
    for (let t = 0; t < batches.length; t++) {
      const data = batches[t].map((m) => train[m]);
      const etaT = eta * rates[t];
      let step: Float64Array;
      if (optimizer.kind === "sgd") step = meanOracleGradient(oracle, theta, data, []).map((g) => etaT * g);
      else if (optimizer.kind === "gdc") step = gdcDirection(oracle, theta, data, beta, optimizer.estimator).direction.map((g) => etaT * g);
      else step = hessianPreconditionedStep(oracle, theta, data, etaT, optimizer.lambda, { iterations: options.cgIterations }).step;
      let finite = true;
      for (let j = 0; j < theta.length; j++) {
        v[j] = momentum * v[j] - step[j];
        theta[j] += v[j];
        if (!Number.isFinite(theta[j])) finite = false;
      }
      if (!finite) return { eta, diverged: t };
    }
    const mean = (xs: readonly X[]) => xs.reduce((s, x) => s + oracle.directionalDerivative(theta, x, []), 0) / xs.length;
    const result = { eta, test: mean(testSet), train: mean(train) };
    return Number.isFinite(result.test) && Number.isFinite(result.train) ? result : { eta, diverged: batches.length };
  });
}
