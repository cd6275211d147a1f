/**
 * Vanilla SGD on one-dimensional landscapes in float64, with common random numbers across
 * learning rates, and the Euler–Maruyama SDE that matches its noise (docs/theory.md#continuous-time).
 *
 * @module
 */
import { InvalidArgumentError, requireFinite, requireInt } from "../errors.js";
import type { Rng } from "../stats/rng.js";

function checkEtas(etas: readonly number[], where: string): void {
  if (etas.length === 0) throw new InvalidArgumentError(where, "etas", "a non-empty list", etas.length);
  etas.forEach((e, i) => {
    if (!(Number.isFinite(e) && e > 0)) throw new InvalidArgumentError(where, `etas[${i}]`, "a positive finite number", e);
  });
}

/**
 * One-epoch vanilla SGD (`T = N`, a fresh datum `x ~ N(0, 1)` per step) from `theta0`, for
 * `runs` independent runs. Every run uses the same data for every learning rate (common
 * random numbers), so differences between learning rates are paired.
 *
 * @param gradient - `∂_θ l_x(θ)`.
 * @returns `final[k][r]`: the weight after `T` steps at `etas[k]` in run `r`.
 * @throws InvalidArgumentError for bad sizes or learning rates.
 */
export function sgdOneDim(
  gradient: (theta: number, x: number) => number,
  theta0: number,
  etas: readonly number[],
  T: number,
  runs: number,
  rng: Rng,
): Float64Array[] {
  const where = "sgdOneDim";
  checkEtas(etas, where);
  requireFinite(theta0, where, "theta0");
  requireInt(T, where, "T", 0, 1e9);
  requireInt(runs, where, "runs", 1, 1e9);
  const out = etas.map(() => new Float64Array(runs));
  const xs = new Float64Array(T);
  for (let r = 0; r < runs; r++) {
    rng.fillNormal(xs);
    for (let k = 0; k < etas.length; k++) {
      const eta = etas[k];
      let theta = theta0;
      for (let t = 0; t < T; t++) theta -= eta * gradient(theta, xs[t]);
      out[k][r] = theta;
    }
  }
  return out;
}

/** A one-dimensional SDE `dθ = −G(θ)dτ + √(η C(θ)) dW` matched to SGD with learning rate `η`. */
export interface OneDimSde {
  /** Mean gradient `G(θ)`. */
  drift(theta: number): number;
  /** Square root of the gradient-noise variance, `√C(θ)`. */
  noiseScale(theta: number): number;
}

/**
 * One SGD step's worth of the SDE (`Δτ = η`) by Euler–Maruyama with `increments.length = α`
 * sub-steps: `θ ← θ − (η/α)G(θ) − (η/√α)·√C(θ)·z_i` — the time refined `α`-fold at `η/α` with the
 * noise scaled by `√α` (docs/theory.md#continuous-time), so that the per-step noise variance stays `η²C`.
 *
 * @param increments - `α` standard normal increments `z_i`.
 */
export function eulerMaruyamaStep(sde: OneDimSde, theta: number, eta: number, increments: ArrayLike<number>): number {
  const alpha = increments.length;
  const h = eta / alpha;
  const s = eta / Math.sqrt(alpha);
  let th = theta;
  for (let i = 0; i < alpha; i++) th = th - h * sde.drift(th) - s * sde.noiseScale(th) * increments[i];
  return th;
}

/**
 * Fills `fine` with `α` i.i.d. standard normals whose sum is `√α·Z` for a given standard normal
 * `Z` (a Brownian path over one step conditioned on its endpoint: `z_i = w_i − w̄ + Z/√α`), and
 * `coarse` (length `α/2`) with the pair sums `(z_{2j} + z_{2j+1})/√2`, the same path on a grid
 * twice as coarse. Lets an SDE step be paired with an SGD step (common random numbers) and run
 * at two resolutions on one path.
 *
 * @throws InvalidArgumentError unless `fine.length` is even and `coarse.length = fine.length/2`.
 */
export function bridgeIncrements(Z: number, rng: Rng, fine: Float64Array, coarse: Float64Array): void {
  const alpha = fine.length;
  if (alpha < 2 || alpha % 2 !== 0 || coarse.length * 2 !== alpha) {
    throw new InvalidArgumentError("bridgeIncrements", "fine.length", "even, and twice coarse.length", `${alpha}, ${coarse.length}`);
  }
  rng.fillNormal(fine);
  let mean = 0;
  for (let i = 0; i < alpha; i++) mean += fine[i];
  mean /= alpha;
  const shift = Z / Math.sqrt(alpha) - mean;
  for (let i = 0; i < alpha; i++) fine[i] += shift;
  for (let j = 0; j < coarse.length; j++) coarse[j] = (fine[2 * j] + fine[2 * j + 1]) * Math.SQRT1_2;
}
