/**
 * Optimizers beyond plain SGD (docs/theory.md#batch-size-and-gdc, #momentum-and-hessian-update, #continuous-time) as values that trainers interpret:
 * the SGD family of a {@link Schedule}, GDC (GD plus the `β·trC` regularizer), the
 * Hessian-preconditioned update, and the continuous-time limits (gradient flow and the
 * SGD-matched SDE); and a generic trainer over any {@link DerivativeOracle}.
 *
 * @module
 */
import { InvalidArgumentError, requireFinite, requireInt } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { gdSchedule, type Schedule, stepCount } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";
import { type CovarianceEstimator, gdcBeta, gdcDirection, meanOracleGradient } from "./gdc.js";
import { hessianPreconditionedStep } from "./hessianUpdate.js";
import type { RunResult } from "./runResult.js";
import { momentumOf, realiseBatches, stepRates } from "./trainingSteps.js";

/**
 * An update rule with its batches:
 * - `sgd`: the SGD family of `schedule` (batches, epochs, shuffling, GD, momentum, per-step rates);
 * - `gdc`: the batches of `schedule` (normally GD on all `N`) with the GDC direction
 *   `ḡ + β·∇trĈ` (split-half: `∇trĈ = B·H0(g0 − g1)`), `β = betaScale·η(N−1)/(4N)` (docs/theory.md#batch-size-and-gdc; `betaScale = 1` is
 *   the theoretical β, 0 is plain GD); `estimator` picks the unbiased covariance estimate
 *   (default `"split-half"`, see {@link CovarianceEstimator});
 * - `hessian`: `θ ← θ − η_t(I + λη_t H_t)^{-1} g_t` on the batches of `schedule` (§E);
 * - `ode`: gradient flow on the full-batch training loss `L(θ) = (1/N)Σ_n l_n(θ)` over
 *   `τ = Σ_t η_t`: each of the `T` steps of `schedule` (size `η_t`) is `substeps` Euler steps
 *   of `η_t/substeps` (`substeps = 1` is GD; the batches only fix `T` and the `η_t`);
 * - `sde`: the SDE matched to the SGD of `schedule` (§F),
 *   `dθ = −∇L dτ + √(η_t·f_t·C_N(θ)) dW`, by Euler–Maruyama with `substeps = α` steps of
 *   `η_t/α` per SGD step and the noise scaled by `√α` (so each SGD step gets noise covariance
 *   `η_t²·f_t·C_N`, SGD's own). `C_N = (1/N)Σ_n (g_n − ḡ)(g_n − ḡ)ᵀ` is the per-sample gradient
 *   covariance of the training set and `f_t = (N − B_t)/((N − 1)B_t)` the batch factor
 *   ({@link sdeNoiseFactor}: the covariance of the mean of `B_t` of the `N` gradients drawn
 *   without replacement, as the batches of an epoch are; `1` for `B = 1`, `0` for GD).
 *   See {@link continuousTimeStep}. Its mean tracks SGD's to first order in `η`. Note that on
 *   a training set of `N` i.i.d. draws the drift `∇L` already carries the sampling noise that
 *   SGD's steps do (for one epoch, all of it), so the SDE counts the noise twice: its expected
 *   test loss exceeds SGD's by `≈ ½η²·T·f·(1 − 1/N)·tr(HC)` at second order (MNIST logistic,
 *   `N = T = 10`: predicted `4.0e-3·η²` from a measured `tr(HC)`, simulated `(4.7 ± 1.9)e-3·η²`).
 */
export type Optimizer =
  | { readonly kind: "sgd"; readonly schedule: Schedule }
  | { readonly kind: "gdc"; readonly schedule: Schedule; readonly betaScale: number; readonly estimator?: CovarianceEstimator }
  | { readonly kind: "hessian"; readonly schedule: Schedule; readonly lambda: number }
  | { readonly kind: "ode"; readonly schedule: Schedule; readonly substeps: number }
  | { readonly kind: "sde"; readonly schedule: Schedule; readonly substeps: number };

/** Default sub-steps per SGD step of the `ode` and `sde` optimizers. */
export const DEFAULT_SUBSTEPS = 16;

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

/**
 * Gradient flow on the training loss, `T` steps of `schedule` each integrated with
 * `substeps` Euler steps (see {@link Optimizer}).
 */
export function odeOptimizer(schedule: Schedule, substeps = DEFAULT_SUBSTEPS): Optimizer {
  const o: Optimizer = { kind: "ode", schedule, substeps };
  validateOptimizer(o, "odeOptimizer");
  return o;
}

/**
 * The SDE matched to the SGD of `schedule` by Euler–Maruyama with `substeps = α` sub-steps per
 * SGD step (see {@link Optimizer}).
 */
export function sdeOptimizer(schedule: Schedule, substeps = DEFAULT_SUBSTEPS): Optimizer {
  const o: Optimizer = { kind: "sde", schedule, substeps };
  validateOptimizer(o, "sdeOptimizer");
  return o;
}

/**
 * `f = (N − B)/((N − 1)·B)`: the covariance of the mean of `B` of `N` per-sample gradients drawn
 * without replacement is `f·C_N` (`C_N` with the `1/N` normalisation). `1` for `B = 1`, `0` for
 * `B = N` (GD has no noise).
 */
export function sdeNoiseFactor(N: number, B: number): number {
  return B >= N ? 0 : (N - B) / ((N - 1) * B);
}

/** The optimizer's `β` at learning rate `η` (0 unless GDC). */
export function optimizerBeta(o: Optimizer, eta: number): number {
  return o.kind === "gdc" ? o.betaScale * gdcBeta(eta, o.schedule.N) : 0;
}

/** A short label, e.g. `"gdc(β×1)"`. */
export function optimizerLabel(o: Optimizer): string {
  if (o.kind === "gdc") return `gdc(β×${o.betaScale}${o.estimator === "sample-covariance" ? ", sample covariance" : ""})`;
  if (o.kind === "hessian") return `hessian(λ=${o.lambda})`;
  if (o.kind === "ode") return `ode(${o.substeps} substeps)`;
  if (o.kind === "sde") return `sde(α=${o.substeps})`;
  const s = o.schedule;
  if (s.kind === "gd") return "gd";
  const m = s.momentum === undefined ? "" : `, momentum ${s.momentum.toNumber()}`;
  return s.kind === "sgd" ? `sgd(B=${s.batch}, E=${s.epochs}${s.shuffle ? ", shuffled" : ""}${m})` : `custom${m}`;
}

/**
 * Checks an optimizer: GDC needs every batch of even size and no momentum; the Hessian update,
 * ODE and SDE take no momentum; `betaScale`, `lambda` finite; `substeps` an integer ≥ 1.
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
  } else if (o.kind === "hessian") {
    requireFinite(o.lambda, where, "lambda", 0);
  } else {
    requireInt(o.substeps, where, "substeps", 1, 1_000_000);
  }
}

/**
 * One SGD step's worth (`Δτ = η`) of gradient flow (`noiseFactor = 0`) or of the SGD-matched
 * SDE on the training data `train`, in place on `theta`: `substeps = α` Euler(–Maruyama) steps
 *
 * `θ ← θ − (η/α)·ḡ(θ) − (η/√α)·√noiseFactor·(1/√N)·Σ_n z_n (g_n(θ) − ḡ(θ))`,  `z_n ~ N(0, 1)`,
 *
 * with `g_n` the per-sample gradients and `ḡ` their mean. The noise term has covariance
 * `(η²/α)·noiseFactor·C_N(θ)`, `C_N = (1/N)Σ_n (g_n − ḡ)(g_n − ḡ)ᵀ`, without forming a `P × P`
 * matrix — the time refined `α`-fold with the noise scaled by `√α` (docs/theory.md#continuous-time), as
 * `eulerMaruyamaStep` (oneDimSgd.ts) in one dimension. `N` standard normals are drawn from `rng` per
 * sub-step when `noiseFactor > 0` (none otherwise).
 *
 * @returns false when a weight stopped being finite (theta is then left as it was reached).
 * @throws InvalidArgumentError for bad `substeps`, a negative `noiseFactor` or noise without `rng`.
 */
export function continuousTimeStep<X>(
  oracle: DerivativeOracle<X>,
  theta: Float64Array,
  train: readonly X[],
  eta: number,
  substeps: number,
  noiseFactor: number,
  rng?: Rng,
): boolean {
  const where = "continuousTimeStep";
  requireInt(substeps, where, "substeps", 1, 1_000_000);
  requireFinite(noiseFactor, where, "noiseFactor", 0);
  if (noiseFactor > 0 && rng === undefined) throw new InvalidArgumentError(where, "rng", "a generator when noiseFactor > 0", undefined);
  const N = train.length;
  const h = eta / substeps;
  const sigma = (eta / Math.sqrt(substeps)) * Math.sqrt(noiseFactor / N);
  const z = new Float64Array(N);
  for (let k = 0; k < substeps; k++) {
    let step: Float64Array;
    if (noiseFactor === 0) step = meanOracleGradient(oracle, theta, train, []).map((g) => h * g);
    else {
      rng!.fillNormal(z);
      let zbar = 0;
      for (let n = 0; n < N; n++) zbar += z[n] / N;
      // h·ḡ + σ·Σ_n z_n(g_n − ḡ) = Σ_n (h/N + σ(z_n − z̄))·g_n
      step = new Float64Array(theta.length);
      for (let n = 0; n < N; n++) {
        const c = h / N + sigma * (z[n] - zbar);
        const g = oracle.directionalGradient(theta, train[n], []);
        for (let j = 0; j < step.length; j++) step[j] += c * g[j];
      }
    }
    let finite = true;
    for (let j = 0; j < theta.length; j++) {
      theta[j] -= step[j];
      if (!Number.isFinite(theta[j])) finite = false;
    }
    if (!finite) return false;
  }
  return true;
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
  // The SDE's noise: one stream per run, replayed for every η (paired).
  const noise = optimizer.kind === "sde" ? rng.split() : undefined;
  return etas.map((eta): RunResult => {
    const theta = Float64Array.from(theta0);
    const v = new Float64Array(theta.length);
    const beta = optimizerBeta(optimizer, eta);
    const noiseRng = noise?.clone();
    for (let t = 0; t < batches.length; t++) {
      const etaT = eta * rates[t];
      if (optimizer.kind === "ode" || optimizer.kind === "sde") {
        const f = optimizer.kind === "sde" ? sdeNoiseFactor(train.length, batches[t].length) : 0;
        if (!continuousTimeStep(oracle, theta, train, etaT, optimizer.substeps, f, noiseRng)) return { eta, diverged: t };
        continue;
      }
      const data = batches[t].map((m) => train[m]);
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
