/**
 * Resummed ("renormalized") long-time predictions in float64 (docs/theory.md#resummation, #thermodynamic-engine):
 * families of diagrams summed in closed form in an eigenbasis of `ηH`, so that predictions
 * stay bounded as `ηT` grows where the raw η-series diverges.
 *
 * Conventions for every function here: `η` is a scalar; `H = V diag(h) Vᵀ` (its symmetric
 * part is used), `k_μ = η h_μ` are the per-step decay rates, and a tilde marks a tensor with
 * every index rotated into the eigenbasis (`C̃ = VᵀCV`, `J̃_{μνλ} = Σ J_abc V_aμ V_bν V_cλ`).
 * Time weights come from {@link resolvePropagator}: `P_T(s) = (1 − e^{−Ts})/s` by default, or
 * the exact discrete sums with `(1 − k)` per step. Zero and near-zero eigenvalues are fine:
 * every weight has its `k → 0` limit built in (e.g. `P_T(0) = T`), so nothing divides by `k`.
 *
 * NaN policy: inputs must be finite (else {@link InvalidArgumentError}); overflow of a growing
 * mode (negative `k` and large `T`) gives ±Infinity, and `T = ∞` gives Infinity or NaN where
 * the sum diverges.
 *
 * @module
 */
import {
  type MatrixInput,
  type Tensor3Input,
  type VectorInput,
  eigenbasisOf,
  requireEta,
  rotatedDiagonal,
  rotateMatrix,
  rotateTensor3,
  rotateVector,
  toMatrix,
  toTensor3,
  toVector,
  unrotateVector,
} from "./eigenbasis.js";
import { type ResummationOptions, resolvePropagator } from "./propagator.js";

/**
 * The resummed order-1 term of the expected loss (docs/theory.md#resummation): the untied chains
 * `G·(I − ηH)^{T−t−1}η·G` summed over `t`,
 *
 * - discrete (exact on a quadratic): `−G·H^{-1}(I − (I − ηH)^T)·G = −η Σ_μ G̃_μ² D_T(k_μ)`;
 * - continuous: `−G·H^{-1}(I − e^{−ηTH})·G = −η Σ_μ G̃_μ² P_T(k_μ)`,
 *
 * replacing the polynomial `−ηT G·G`, which it equals to first order in `η` (and exactly when
 * `H = 0`). A zero eigenvalue contributes its limit `−ηT G̃_μ²`.
 *
 * @param G - mean gradient at `θ0` (length `P`).
 * @param H - mean Hessian at `θ0` (`P × P`; its symmetric part is used).
 * @param eta - learning rate (scalar).
 * @param T - number of steps (`[0, ∞]`; an integer or `∞` for the discrete propagator).
 * @returns the order-1 change of the expected loss, `E l(θ_T) − l(θ0)` at first order in `G`.
 * @throws InvalidArgumentError for inconsistent shapes, non-finite entries, a bad `η` or `T`.
 * @example
 * ```ts
 * resummedFirstOrder([1], [[2]], 0.1, 10, { propagator: "discrete" }); // −(1 − 0.8^10)/2
 * resummedFirstOrder([1], [[2]], 0.1, 10);                             // −(1 − e^{−2})/2
 * ```
 */
export function resummedFirstOrder(
  G: VectorInput,
  H: MatrixInput,
  eta: number,
  T: number,
  options: ResummationOptions = {},
): number {
  const where = "resummedFirstOrder";
  const basis = eigenbasisOf(H, where);
  const g = rotateVector(basis, toVector(G, basis.P, where, "G"));
  requireEta(eta, where);
  const weight = resolvePropagator(options, T, where);
  let sum = 0;
  for (let mu = 0; mu < basis.P; mu++) sum += g[mu] * g[mu] * weight.sum(eta * basis.h[mu]);
  return -eta * sum;
}

/**
 * The resummed leading noise term of vanilla SGD (docs/theory.md#resummation):
 * `½ Σ_{μν} C̃_{μν} P_T(k_μ + k_ν) (ηHη)~_{μν}`.
 *
 * For scalar `η`, `(ηHη)~ = η² diag(h)` is diagonal in the eigenbasis, so the sum is
 * `(η/2) Σ_μ C̃_μμ k_μ P_T(2k_μ) = (η/4) Σ_μ C̃_μμ (1 − e^{−2Tk_μ})`. Limits:
 * - small `ηT|H|`: the polynomial term `(T/2) η² C:H`;
 * - `T → ∞` with `H > 0`: `(η/4) tr C`, in 1-D the stationary excess loss `ηC/4` of SGD on a
 *   quadratic.
 *
 * The discrete propagator gives `(η/2) Σ_μ C̃_μμ (1 − (1 − k_μ)^{2T})/(2 − k_μ)`, the exact
 * excess loss `½ tr(H Cov θ_T)` of SGD on a quadratic with gradient-noise covariance `C`
 * (1-D, `T → ∞`: `ηC/(2(2 − ηh))`).
 *
 * @param C - gradient-noise covariance `E[(g − G)⊗(g − G)]` at `θ0` (`P × P`).
 * @param H - mean Hessian (`P × P`; symmetric part used).
 * @param eta - learning rate (scalar).
 * @param T - number of steps (`[0, ∞]`; an integer or `∞` for the discrete propagator).
 * @throws InvalidArgumentError for inconsistent shapes, non-finite entries, a bad `η` or `T`.
 * @example
 * ```ts
 * resummedNoise([[2]], [[1]], 0.1, Infinity); // ηC/4 = 0.05
 * ```
 */
export function resummedNoise(
  C: MatrixInput,
  H: MatrixInput,
  eta: number,
  T: number,
  options: ResummationOptions = {},
): number {
  const where = "resummedNoise";
  const basis = eigenbasisOf(H, where);
  const c = rotatedDiagonal(basis, toMatrix(C, basis.P, where, "C"));
  requireEta(eta, where);
  const weight = resolvePropagator(options, T, where);
  let sum = 0;
  for (let mu = 0; mu < basis.P; mu++) {
    const k = eta * basis.h[mu];
    if (k === 0 || c[mu] === 0) continue; // (ηHη)~_μμ = η k_μ = 0 kills the term, even at T = ∞
    sum += c[mu] * k * weight.sum(k, k);
  }
  return 0.5 * eta * sum;
}

/**
 * The resummed skewness diagram (docs/theory.md#resummation, **corrected** normalisation):
 * `−(η³/6) Σ_{μνλ} S̃_{μνλ} J̃_{μνλ} P_T(k_μ + k_ν + k_λ)`, with
 * `P_T(s) = (1 − e^{−Ts})/s` and `k` the eigenvalues of `ηH`.
 *
 * It is the term `(1/6) J[δ, δ, δ]` of the loss at `θ_T` with the third cumulant of
 * `δ = −η Σ_s (I − ηH)^{T−1−s} ξ_s`, so each of the three edges carries a propagator and the
 * common step is summed. As `H → 0` it reduces to the polynomial `−(T/6) η³ S:J`. (The formula
 * as printed carries an extra `/η`, which breaks this limit: it would give `−(T/6)η² S:J`.)
 * The discrete propagator uses `Σ_{s<T} Π(1 − k)^s`, exact for SGD on a quadratic.
 *
 * Cost: `O(P⁴)` to rotate `S` and `J` into the eigenbasis (a few seconds at `P = 100`).
 *
 * @param S - third cumulant of the gradient noise, `E[(g − G)^{⊗3}]` (`P × P × P`).
 * @param J - mean third derivative `E[∇³l]` at `θ0` (`P × P × P`).
 * @param H - mean Hessian (`P × P`; symmetric part used).
 * @param eta - learning rate (scalar).
 * @param T - number of steps (`[0, ∞]`; an integer or `∞` for the discrete propagator).
 * @throws InvalidArgumentError for inconsistent shapes, non-finite entries, a bad `η` or `T`.
 * @example
 * ```ts
 * // the cubic-chi landscape of §I: S = −8, J = 6, H = 0 → 8Tη³
 * resummedSkewness([[[-8]]], [[[6]]], [[0]], 0.01, 4); // 3.2e-5
 * ```
 */
export function resummedSkewness(
  S: Tensor3Input,
  J: Tensor3Input,
  H: MatrixInput,
  eta: number,
  T: number,
  options: ResummationOptions = {},
): number {
  const where = "resummedSkewness";
  const basis = eigenbasisOf(H, where);
  const P = basis.P;
  const s = rotateTensor3(basis, toTensor3(S, P, where, "S"));
  const j = rotateTensor3(basis, toTensor3(J, P, where, "J"));
  requireEta(eta, where);
  const weight = resolvePropagator(options, T, where);
  const k = basis.h.map((h) => eta * h);
  let sum = 0;
  for (let mu = 0; mu < P; mu++) {
    for (let nu = 0; nu < P; nu++) {
      for (let la = 0; la < P; la++) {
        const i = (mu * P + nu) * P + la;
        const sj = s[i] * j[i];
        if (sj !== 0) sum += sj * weight.sum(k[mu], k[nu], k[la]);
      }
    }
  }
  return (-(eta * eta * eta) / 6) * sum;
}

/**
 * The resummed entropic drift of the weights (docs/theory.md#thermodynamic-engine, **corrected**):
 * `E[θ_T − θ0]^ξ = −½ η³ Σ_{μο} C̃_{μο} J̃_{μοξ} Q_T(k_ξ; k_μ + k_ο)` in the eigenbasis, returned
 * in the original coordinates, where
 * `Q_T(a; b) = ∫_0^T e^{−a(T−t)} P_t(b) dt = (P_T(a) − P_T(b))/(b − a)`
 * ({@link nestedPropagatorIntegral}).
 *
 * Derivation (at a stationary point, `G = 0`): `δ_{t+1} = (I − ηH)δ_t − η·½J[δ_t, δ_t] − ηξ_t`.
 * The noise builds the covariance `Cov δ_t = η² Σ_{s<t} A^{t−1−s} C A^{t−1−s}` (`A = I − ηH`),
 * which the cubic term turns into a mean force `−η·½J[Cov δ_t]` at step `t`, propagated to `T`.
 * With the discrete propagator this is exact to this order (one `J`, noise squared): the
 * weight is `Σ_t (1 − k_ξ)^{T−1−t} D_t(1 − (1 − k_μ)(1 − k_ο))` ({@link nestedPropagatorSum}),
 * and at `H = 0` it reproduces the polynomial order-3 result `−(η³/4)T(T−1) C:J`.
 *
 * Corrections to the printed formula `−½ Σ C_{μο} P_T(k_μ+k_ο) η² J_{μοξ} P_T(k_ξ)`: the power
 * is `η³` (two noise edges and the force edge each carry an `η`; with `η²` the helix drift
 * would be `ηT/6` instead of the measured `η²T/6`), and the product `P_T(k_μ+k_ο)P_T(k_ξ)`
 * is only the large-`T` asymptote of `Q_T` in a flat direction (it double counts at small
 * `T`: `T²` instead of `T²/2`). In a flat direction (`k_ξ = 0`) with `k_μ + k_ο = b > 0`,
 * `Q_T = (T − P_T(b))/b ≈ T/b`: a drift linear in `T`. On the helix of §H this gives
 * `z_T = η²T/6 − η/18 + O(e^{−3ηT})`.
 *
 * Only the leading entropic term: contributions of `E[g ⊗ ∇²l]` (θ-dependent noise) and of a
 * non-zero `G` are other diagrams. On the helix the discrete form also tracks SGD itself
 * closely (tested by Monte Carlo; e.g. `η = 0.05`, `T = 10⁴`: 4.307 vs the measured 4.30 ± 0.02).
 *
 * Cost: `O(P⁴)` to rotate `J` into the eigenbasis, plus `P³` nested weights.
 *
 * @param C - gradient-noise covariance at `θ0` (`P × P`).
 * @param H - mean Hessian (`P × P`; symmetric part used).
 * @param J - mean third derivative (`P × P × P`; the drift index is the last).
 * @param eta - learning rate (scalar).
 * @param T - number of steps (`[0, ∞]`; an integer or `∞` for the discrete propagator).
 * @returns `E[θ_T − θ0]` (length `P`) in the original coordinates.
 * @throws InvalidArgumentError for inconsistent shapes, non-finite entries, a bad `η` or `T`.
 * @example
 * ```ts
 * // the helix of §H at θ = 0: H = diag(2, 1, 0), C_uv = −½, J_uvz = 1
 * entropicDrift(C, H, J, 0.02, 10_000); // ≈ [0, 0, 0.6656]
 * ```
 */
export function entropicDrift(
  C: MatrixInput,
  H: MatrixInput,
  J: Tensor3Input,
  eta: number,
  T: number,
  options: ResummationOptions = {},
): Float64Array {
  const where = "entropicDrift";
  const basis = eigenbasisOf(H, where);
  const P = basis.P;
  const c = rotateMatrix(basis, toMatrix(C, P, where, "C"));
  const j = rotateTensor3(basis, toTensor3(J, P, where, "J"));
  requireEta(eta, where);
  const weight = resolvePropagator(options, T, where);
  const k = basis.h.map((h) => eta * h);
  const drift = new Float64Array(P);
  for (let xi = 0; xi < P; xi++) {
    let sum = 0;
    for (let mu = 0; mu < P; mu++) {
      for (let o = 0; o < P; o++) {
        const cj = c[mu * P + o] * j[(mu * P + o) * P + xi];
        if (cj !== 0) sum += cj * weight.nested(k[xi], k[mu], k[o]);
      }
    }
    drift[xi] = -0.5 * eta * eta * eta * sum;
  }
  return unrotateVector(basis, drift);
}
