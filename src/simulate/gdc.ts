/**
 * The GDC regularizer (applications.md §B): gradient descent on `l̃ = l + β·tr Ĉ(θ)` with
 * `β = η(N−1)/(4N)` matches SGD's expected test loss to order `η²` — large-batch training
 * that behaves like small-batch SGD. Library functions usable in any training loop.
 *
 * @module
 */
import { InvalidArgumentError, requireFinite, requireInt } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";

/**
 * The theoretical GDC coefficient `β = η(N−1)/(4N)` (applications.md §B): with it, GD on `N`
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
 * `E[B·H0(g0 − g1)] = 2(E[H_x g_x] − H G) = ∇trC` (`½∇trC = E[H_x g_x] − HG`, applications.md
 * §B). Add it to the batch-mean gradient in your own loop:
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
  const grads = batch.map((x) => oracle.directionalGradient(theta, x, []));
  const mean = new Float64Array(oracle.dim);
  for (const g of grads) for (let j = 0; j < mean.length; j++) mean[j] += g[j] / batch.length;
  const out = new Float64Array(oracle.dim);
  const scale = (2 * beta) / (batch.length - 1);
  batch.forEach((x, i) => {
    const hv = oracle.directionalGradient(theta, x, [grads[i].map((g, j) => g - mean[j])]);
    for (let j = 0; j < out.length; j++) out[j] += scale * hv[j];
  });
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
    const gradient = meanOracleGradient(oracle, theta, batch, []);
    if (beta === 0) return { direction: Float64Array.from(gradient), gradient };
    const extra = gdcSampleCovarianceGradient(oracle, theta, batch, beta);
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
