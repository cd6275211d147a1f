/**
 * Full-batch gradient descent on the mean-estimation family (docs/theory.md#overfitting-and-model-selection, #mean-estimation),
 * `l_x(θ) = ½Hθ² + xSθ (+ ½λθ²)`, `x ~ N(0, 1)`, with an optional learned `λ` (the
 * STIC-regularised descent), in float64 and vectorised over independent training sets.
 *
 * @module
 */
import { InvalidArgumentError, requireFinite, requireInt } from "../errors.js";
import type { Rng } from "../stats/rng.js";

/** Options of {@link meanEstimationGd}. */
export interface MeanEstimationGdOptions {
  readonly H: number;
  readonly S: number;
  /** Training points per run. */
  readonly N: number;
  readonly eta: number;
  readonly T: number;
  readonly runs: number;
  /** Initial weight. @defaultValue 0 (the minimum of the test loss) */
  readonly theta0?: number;
  /**
   * Learn `λ ≥ 0` jointly with `θ` by projected gradient descent (rate `etaLambda`) on
   * `F(θ, λ) = train loss + ½λθ² + Ĉ(1 − e^{−(H+λ)ηT})/(N(H+λ))`, the STIC penalty with the
   * gradient-noise variance `Ĉ` estimated on the training set at `θ0`. @defaultValue false
   */
  readonly stic?: boolean;
  /** Rate of the `λ` descent. @defaultValue eta */
  readonly etaLambda?: number;
}

/** Per-run outcomes. */
export interface MeanEstimationGdResult {
  /** `½Hθ_T²`, the test loss (without the `λ` term) minus its minimum 0. */
  readonly test: Float64Array;
  /** Train loss `(1/N)Σ l_{x_n}(θ_T)` (without the `λ` term). */
  readonly train: Float64Array;
  /** Final `λ` (0 without STIC). */
  readonly lambda: Float64Array;
}

/**
 * `∂_λ` of the STIC penalty `p(s) = C(1 − e^{−sτ})/(N s)` with `s = H + λ`, `τ = ηT`:
 * `p′(s) = (C/N)(τe^{−sτ}/s − (1 − e^{−sτ})/s²)`, with its `s → 0` limit `−Cτ²/(2N)`.
 */
export function sticPenaltySlope(C: number, N: number, s: number, tau: number): number {
  const x = s * tau;
  if (Math.abs(x) < 1e-4) return (-C * tau * tau) / (2 * N) * (1 - (2 * x) / 3);
  return (C / N) * ((tau * Math.exp(-x)) / s + Math.expm1(-x) / (s * s));
}

/**
 * Runs GD (every step on all `N` points) for `runs` independent training sets; with `stic`,
 * the STIC-regularised joint descent on `(θ, λ)`.
 *
 * @throws InvalidArgumentError for bad sizes or parameters.
 */
export function meanEstimationGd(o: MeanEstimationGdOptions, rng: Rng): MeanEstimationGdResult {
  const where = "meanEstimationGd";
  const H = requireFinite(o.H, where, "H");
  const S = requireFinite(o.S, where, "S");
  const N = requireInt(o.N, where, "N", 2, 1e7);
  const T = requireInt(o.T, where, "T", 0, 1e9);
  const R = requireInt(o.runs, where, "runs", 1, 1e9);
  const eta = requireFinite(o.eta, where, "eta");
  if (!(eta > 0)) throw new InvalidArgumentError(where, "eta", "positive", eta);
  const etaL = requireFinite(o.etaLambda ?? eta, where, "etaLambda");
  const theta0 = requireFinite(o.theta0 ?? 0, where, "theta0");
  const test = new Float64Array(R);
  const train = new Float64Array(R);
  const lambdas = new Float64Array(R);
  const xs = new Float64Array(N);
  const tau = eta * T;
  for (let r = 0; r < R; r++) {
    rng.fillNormal(xs);
    let mean = 0;
    for (const x of xs) mean += x;
    mean /= N;
    let ss = 0;
    for (const x of xs) ss += (x - mean) ** 2;
    // Per-datum gradients at θ0 are Hθ0 + S x_n: their sample variance estimates C = S².
    const Chat = (S * S * ss) / (N - 1);
    let theta = theta0;
    let lambda = 0;
    for (let t = 0; t < T; t++) {
      const g = H * theta + S * mean + lambda * theta;
      if (o.stic === true) {
        const gl = 0.5 * theta * theta + sticPenaltySlope(Chat, N, H + lambda, tau);
        lambda = Math.max(0, lambda - etaL * gl);
      }
      theta -= eta * g;
    }
    test[r] = 0.5 * H * theta * theta;
    train[r] = 0.5 * H * theta * theta + S * mean * theta;
    lambdas[r] = lambda;
  }
  return { test, train, lambda: lambdas };
}
