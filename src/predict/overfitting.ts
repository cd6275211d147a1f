/**
 * Overfitting and generalization gap of gradient descent started at a minimum
 * (docs/theory.md#overfitting-and-model-selection: TIC and its finite-time version STIC).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { type MatrixInput, eigenbasisOf, requireEta, rotatedDiagonal, toMatrix } from "./eigenbasis.js";
import { type ResummationOptions, resolvePropagator } from "./propagator.js";

/** The result of {@link gdOverfitting}. */
export interface GdOverfittingResult {
  /** Expected test loss after training minus the test loss at the start. */
  readonly overfitting: number;
  /** Expected generalization gap (test minus train loss) after training. */
  readonly gap: number;
  /**
   * Takeuchi's information criterion `tr(C H^{-1})/N`, the `T → ∞` limit of the gap and twice
   * that of the overfitting (`= AIC` when `C = H`). `±∞` when `H` has a zero eigenvalue along
   * which `C` is non-zero.
   */
  readonly tic: number;
}

/**
 * Overfitting and generalization gap of GD for `T` steps on `N` training points, started at
 * a non-degenerate minimum of the test loss (docs/theory.md#overfitting-and-model-selection; `+o(η²)`):
 *
 * - overfitting `= (1/2N) tr(C (I − e^{−ηTH})² H^{-1}) = (η/2N) Σ_μ C̃_μμ k_μ P_T(k_μ)²`;
 * - gap `= (1/N) tr(C (I − e^{−ηTH}) H^{-1}) = (η/N) Σ_μ C̃_μμ P_T(k_μ)`
 *   (**corrected**: one printed version has `C/(2NH)` in the gap);
 *
 * with `k = ηh` the eigenvalues of `ηH` and `P_T(k) = (1 − e^{−Tk})/k`. The discrete
 * propagator (exact for a quadratic loss) has `(I − ηH)^T` in place of `e^{−ηTH}`, i.e.
 * `D_T(k) = (1 − (1 − k)^T)/k` in place of `P_T`.
 *
 * Both stay bounded as `H → 0` (STIC): a zero eigenvalue contributes `0` to the overfitting and
 * `ηT C̃_μμ/N` to the gap. As `T → ∞` the gap tends to TIC `tr(CH^{-1})/N` and the overfitting to
 * half of it. In 1-D at fixed `ηT`, the overfitting `(C ηT/2N)(1 − e^{−x})²/x` with `x = ηTh`
 * peaks where `e^x − 1 = 2x`, `x ≈ 1.2564`: sharp and flat minima overfit less than medium ones.
 *
 * ## Method
 * Why: on `l_n(θ) = ½θᵀHθ + θ·ξ_n` the GD iterate is `θ_T = −H^{-1}(I − A^T) ξ̄` with
 * `A = I − ηH` and `Cov ξ̄ = C/N`; the test loss rises by `½ E[θ_THθ_T]` and the train loss
 * falls by `E[ξ̄·θ_T] + …`, giving the traces above in the eigenbasis of `H`.
 *
 * @param C - gradient-noise covariance at the minimum (`P × P`; diagonal in `H`'s eigenbasis used).
 * @param H - Hessian at the minimum (`P × P`; symmetric part used).
 * @param eta - learning rate (scalar).
 * @param T - number of steps (`[0, ∞]`; an integer or `∞` for the discrete propagator).
 * @param N - number of training points (`> 0`).
 * @throws InvalidArgumentError for inconsistent shapes, non-finite entries, or a bad `η`, `T`, `N`.
 * @example
 * ```ts
 * gdOverfitting([[1]], [[1]], 0.1, 10, 100);
 * // { overfitting: (1 − e^{−1})²/200, gap: (1 − e^{−1})/100, tic: 0.01 }
 * ```
 */
export function gdOverfitting(
  C: MatrixInput,
  H: MatrixInput,
  eta: number,
  T: number,
  N: number,
  options: ResummationOptions = {},
): GdOverfittingResult {
  const where = "gdOverfitting";
  const basis = eigenbasisOf(H, where);
  const c = rotatedDiagonal(basis, toMatrix(C, basis.P, where, "C"));
  requireEta(eta, where);
  if (typeof N !== "number" || !Number.isFinite(N) || N <= 0) {
    throw new InvalidArgumentError(where, "N", "a finite positive number", N);
  }
  const weight = resolvePropagator(options, T, where);
  let overfitting = 0;
  let gap = 0;
  let tic = 0;
  for (let mu = 0; mu < basis.P; mu++) {
    if (c[mu] === 0) continue;
    const h = basis.h[mu];
    const k = eta * h;
    const w = weight.sum(k);
    // (1 − e^{−Tk})²/h = η k P_T(k)²; at k = 0 it is 0 even when P_T(0) = T = ∞.
    if (k !== 0) overfitting += c[mu] * k * w * w;
    gap += c[mu] * w;
    tic += h === 0 ? Math.sign(c[mu]) * Infinity : c[mu] / h;
  }
  return { overfitting: (eta * overfitting) / (2 * N), gap: (eta * gap) / N, tic: tic / N };
}
