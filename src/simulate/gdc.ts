/**
 * The GDC regularizer (docs/theory.md#batch-size-and-gdc): gradient descent on `l̃ = l + β·tr Ĉ(θ)` with
 * `β = η(N−1)/(4N)` matches SGD's expected test loss to order `η²` — large-batch training
 * that behaves like small-batch SGD. Library functions usable in any training loop.
 *
 * @module
 */
import { InvalidArgumentError, requireFinite, requireInt } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";

/**
 * The theoretical GDC coefficient `β = η(N−1)/(4N)` (docs/theory.md#batch-size-and-gdc): with it, GD on `N`
 * points for `T` steps on `l + β·trC` has SGD's (one sample per step, same `T`) expected test
 * loss through `η²`, because GD − SGD `= T((N−1)/(4N))·η²·G·∇trC + o(η²)`.
 *
 * @throws InvalidArgumentError for a non-finite `eta` or `N` not an integer ≥ 1.
 * @example
 * ```ts
 * gdcBeta(0.1, 10); // 0.0225
 * ```
 */
export function gdcBeta(eta: number, N: number): number {
  requireFinite(eta, "gdcBeta", "eta");
  requireInt(N, "gdcBeta", "N", 1, Number.MAX_SAFE_INTEGER);
  return (eta * (N - 1)) / (4 * N);
}

/** Mean of `∇^{k+1} l_x(θ)[v…, ·]` over `xs`, through the oracle's fast path when it has one. */
export function meanOracleGradient<X>(oracle: DerivativeOracle<X>, theta: Float64Array, xs: readonly X[], directions: readonly Float64Array[]): Float64Array {
  if (oracle.meanDirectionalGradient !== undefined) return oracle.meanDirectionalGradient(theta, xs, directions);
  const out = new Float64Array(oracle.dim);
  for (const x of xs) {
    const g = oracle.directionalGradient(theta, x, directions);
    for (let j = 0; j < out.length; j++) out[j] += g[j];
  }
  for (let j = 0; j < out.length; j++) out[j] /= xs.length;
  return out;
}

/** The two halves `b0` (first `B/2` entries) and `b1` of a batch of even size `B ≥ 2`. */
export function splitHalves<X>(batch: readonly X[], where: string): [readonly X[], readonly X[]] {
  if (batch.length < 2 || batch.length % 2 !== 0) {
    throw new InvalidArgumentError(where, "batch", "a list of even length ≥ 2 (it is split into halves)", batch.length);
  }
  const h = batch.length / 2;
  return [batch.slice(0, h), batch.slice(h)];
}

/**
 * The gradient of the GDC penalty `β·tr Ĉ(θ)`, estimated without bias from one batch: split
 * the batch into halves with mean gradients `g0`, `g1` and mean Hessian `H0` of the first half;
 * the returned vector is
 *
 * `β·B·H0·(g0 − g1) = 2β·(B/2)·∇[g0 · stopgrad(g0 − g1)]`   (one Hessian-vector product).
 *
 * ## Method
 * For i.i.d. data, `E[H0 g0] = (2/B)·E[H_x g_x] + (1 − 2/B)·H G` and `E[H0 g1] = H G`, so
 * `E[B·H0(g0 − g1)] = 2(E[H_x g_x] − H G) = ∇trC` (`½∇trC = E[H_x g_x] − HG`, docs/theory.md#batch-size-and-gdc). Add it to the batch-mean gradient in your own loop:
 * `θ ← θ − η·(ḡ + gdcRegularizerGradient(oracle, θ, batch, gdcBeta(η, N)))`.
 *
 * @param batch - the data of the step, even length `B ≥ 2` (for GD: the whole training set).
 * @param beta - the penalty weight (the theoretical one is {@link gdcBeta}).
 * @throws InvalidArgumentError for an odd or too small batch or a non-finite `beta`.
 * @example
 * ```ts
 * const extra = gdcRegularizerGradient(model, theta, trainIndices, gdcBeta(eta, trainIndices.length));
 * ```
 */
export function gdcRegularizerGradient<X>(oracle: DerivativeOracle<X>, theta: Float64Array, batch: readonly X[], beta: number): Float64Array {
  requireFinite(beta, "gdcRegularizerGradient", "beta");
  const [b0, b1] = splitHalves(batch, "gdcRegularizerGradient");
  const g0 = meanOracleGradient(oracle, theta, b0, []);
  const g1 = meanOracleGradient(oracle, theta, b1, []);
  const v = g0.map((x, j) => x - g1[j]);
  const hv = meanOracleGradient(oracle, theta, b0, [v]);
  const scale = beta * batch.length;
  for (let j = 0; j < hv.length; j++) hv[j] *= scale;
  return hv;
}

/**
 * Which unbiased estimate `Ĉ` of the gradient covariance the GDC penalty differentiates:
 * - `"split-half"` (the paper's practical one): `∇trĈ = B·H0(g0 − g1)`, one Hessian-vector
 *   product per step;
 * - `"sample-covariance"`: `Ĉ = (1/(B−1)) Σ_i (g_i − ḡ)(g_i − ḡ)ᵀ`, the unbiased sample
 *   covariance of the batch gradients, whose gradient is `∇trĈ = (2/(B−1)) Σ_i H_i(g_i − ḡ)`
 *   (`Σ_i (g_i − ḡ) = 0` removes the `H̄` term): `B` Hessian-vector products per step, much
 *   less variance. `E[trĈ(θ)] = trC(θ)` at every θ, so `E[∇trĈ] = ∇trC`.
 */
export type CovarianceEstimator = "split-half" | "sample-covariance";

/** `β·∇trĈ` with the sample-covariance estimator (batch of size `B ≥ 2`). */
export function gdcSampleCovarianceGradient<X>(oracle: DerivativeOracle<X>, theta: Float64Array, batch: readonly X[], beta: number): Float64Array {
  requireFinite(beta, "gdcSampleCovarianceGradient", "beta");
  if (batch.length < 2) throw new InvalidArgumentError("gdcSampleCovarianceGradient", "batch", "a list of length ≥ 2", batch.length);
  return sampleCovarianceStep(oracle, theta, batch, beta).extra;
}

/** Per-sample gradients of a batch (one call when the oracle batches them). */
function perSampleGradients<X>(oracle: DerivativeOracle<X>, theta: Float64Array, batch: readonly X[]): Float64Array[] {
  if (oracle.directionalGradients === undefined) return batch.map((x) => oracle.directionalGradient(theta, x, []));
  const rows = oracle.directionalGradients(theta, batch, []);
  const P = oracle.dim;
  return batch.map((_, i) => rows.subarray(i * P, (i + 1) * P));
}

/** The batch's mean gradient and `β·∇trĈ` (sample covariance) from one set of per-sample gradients. */
function sampleCovarianceStep<X>(oracle: DerivativeOracle<X>, theta: Float64Array, batch: readonly X[], beta: number): { gradient: Float64Array; extra: Float64Array } {
  const grads = perSampleGradients(oracle, theta, batch);
  const mean = new Float64Array(oracle.dim);
  for (const g of grads) for (let j = 0; j < mean.length; j++) mean[j] += g[j] / batch.length;
  const out = new Float64Array(oracle.dim);
  if (beta === 0) return { gradient: mean, extra: out };
  const scale = (2 * beta) / (batch.length - 1);
  batch.forEach((x, i) => {
    const hv = oracle.directionalGradient(theta, x, [grads[i].map((g, j) => g - mean[j])]);
    for (let j = 0; j < out.length; j++) out[j] += scale * hv[j];
  });
  return { gradient: mean, extra: out };
}

/** Options of {@link gdcExtraGradient} and {@link gdcExtraGradientFromSamples}. */
export interface GdcExtraOptions {
  /** Multiplier of the theoretical `β = η(N−1)/(4N)` (a β scan). @defaultValue 1 */
  readonly betaScale?: number;
  /** The unbiased covariance estimate differentiated. @defaultValue "split-half" */
  readonly estimator?: CovarianceEstimator;
}

/**
 * The extra gradient GDC adds to a step of your own training loop: `β·∇trĈ(θ)` on `batch`, with
 * `β = betaScale·η(N−1)/(4N)` (docs/theory.md#batch-size-and-gdc). Gradient descent with
 * `θ ← θ − η·(ḡ + gdcExtraGradient(oracle, θ, batch, η, N))` on `N` points (`batch` = all of
 * them, or any batch — "as a regularizer for any batch size") has, at `betaScale = 1` and
 * batch `N`, SGD's expected test loss to order `η²`.
 *
 * With the `"split-half"` estimator the batch must have even length (one Hessian-vector product
 * per step); `"sample-covariance"` takes any batch of length ≥ 2 (`B` products). If you compute
 * per-sample gradients and Hessian-vector products yourself (autodiff), use
 * {@link gdcExtraGradientFromSamples}.
 *
 * @param N - the training-set size that sets `β` (the number of points SGD would visit one by one).
 * @throws InvalidArgumentError for a bad batch, `eta`, `N` or `betaScale`.
 * @example
 * ```ts
 * const g = meanGradient(theta, train);                   // your loss's full-batch gradient
 * const extra = gdcExtraGradient(model, theta, train, eta, train.length);
 * for (let j = 0; j < theta.length; j++) theta[j] -= eta * (g[j] + extra[j]);
 * ```
 */
export function gdcExtraGradient<X>(oracle: DerivativeOracle<X>, theta: Float64Array, batch: readonly X[], eta: number, N: number, options: GdcExtraOptions = {}): Float64Array {
  const beta = requireFinite(options.betaScale ?? 1, "gdcExtraGradient", "betaScale") * gdcBeta(eta, N);
  return options.estimator === "sample-covariance" ? gdcSampleCovarianceGradient(oracle, theta, batch, beta) : gdcRegularizerGradient(oracle, theta, batch, beta);
}

/**
 * {@link gdcExtraGradient} from quantities you computed yourself: the per-sample gradients
 * `g_i` of the batch at `θ` and a Hessian-vector product `hvp(i, v) = ∇²l_{x_i}(θ)·v`.
 * Returns `β·∇trĈ` with `β = betaScale·η(N−1)/(4N)`:
 * - `"split-half"`: `2β·Σ_{i<B/2} H_i(g0 − g1)` (`= β·B·H0(g0 − g1)`, `g0`, `g1` the half means);
 *   calls `hvp` for the first half only;
 * - `"sample-covariance"`: `(2β/(B−1))·Σ_i H_i(g_i − ḡ)`, one `hvp` per sample.
 *
 * @throws InvalidArgumentError for a bad batch (odd for split-half, fewer than 2), ragged
 *   gradients, or bad `eta`, `N`, `betaScale`.
 * @example
 * ```ts
 * const grads = batch.map((x) => perSampleGrad(theta, x));
 * const extra = gdcExtraGradientFromSamples(grads, (i, v) => hessianVectorProduct(theta, batch[i], v), eta, N);
 * ```
 */
export function gdcExtraGradientFromSamples(
  gradients: readonly ArrayLike<number>[],
  hvp: (i: number, v: Float64Array) => ArrayLike<number>,
  eta: number,
  N: number,
  options: GdcExtraOptions = {},
): Float64Array {
  const where = "gdcExtraGradientFromSamples";
  const beta = requireFinite(options.betaScale ?? 1, where, "betaScale") * gdcBeta(eta, N);
  const B = gradients.length;
  const split = options.estimator !== "sample-covariance";
  if (B < 2 || (split && B % 2 !== 0)) {
    throw new InvalidArgumentError(where, "gradients", split ? "an even number ≥ 2 of per-sample gradients (split-half)" : "at least 2 per-sample gradients", B);
  }
  const P = gradients[0].length;
  gradients.forEach((g, i) => {
    if (g.length !== P) throw new InvalidArgumentError(where, `gradients[${i}]`, `length ${P}`, g.length);
  });
  const out = new Float64Array(P);
  const add = (i: number, v: Float64Array, c: number) => {
    const hv = hvp(i, v);
    if (hv.length !== P) throw new InvalidArgumentError(where, "hvp(i, v)", `a vector of length ${P}`, hv.length);
    for (let j = 0; j < P; j++) out[j] += c * hv[j];
  };
  if (split) {
    const h = B / 2;
    const v = new Float64Array(P);
    for (let i = 0; i < B; i++) for (let j = 0; j < P; j++) v[j] += (i < h ? 1 : -1) * gradients[i][j] / h;
    for (let i = 0; i < h; i++) add(i, v, 2 * beta);
  } else {
    const mean = new Float64Array(P);
    for (const g of gradients) for (let j = 0; j < P; j++) mean[j] += g[j] / B;
    for (let i = 0; i < B; i++) add(i, Float64Array.from(mean, (m, j) => gradients[i][j] - m), (2 * beta) / (B - 1));
  }
  return out;
}

/**
 * The whole GDC step direction `(g0 + g1)/2 + β·B·H0(g0 − g1)` on one batch (whose
 * expectation is `∇(l + β·trC)`); also returns the plain mean gradient.
 */
export function gdcDirection<X>(
  oracle: DerivativeOracle<X>,
  theta: Float64Array,
  batch: readonly X[],
  beta: number,
  estimator: CovarianceEstimator = "split-half",
): { direction: Float64Array; gradient: Float64Array } {
  requireFinite(beta, "gdcDirection", "beta");
  if (estimator === "sample-covariance") {
    if (batch.length < 2) throw new InvalidArgumentError("gdcDirection", "batch", "a list of length ≥ 2 (sample covariance)", batch.length);
    // One set of per-sample gradients serves the step's gradient and the penalty's.
    const { gradient, extra } = sampleCovarianceStep(oracle, theta, batch, beta);
    return { direction: gradient.map((g, j) => g + extra[j]), gradient };
  }
  const [b0, b1] = splitHalves(batch, "gdcDirection");
  const g0 = meanOracleGradient(oracle, theta, b0, []);
  const g1 = meanOracleGradient(oracle, theta, b1, []);
  const gradient = g0.map((x, j) => (x + g1[j]) / 2);
  if (beta === 0) return { direction: Float64Array.from(gradient), gradient };
  const v = g0.map((x, j) => x - g1[j]);
  const hv = meanOracleGradient(oracle, theta, b0, [v]);
  const scale = beta * batch.length;
  return { direction: gradient.map((g, j) => g + scale * hv[j]), gradient };
}
