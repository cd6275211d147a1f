/**
 * Time sums and integrals of propagators: the scalar weights of resummed diagrams
 * (docs/theory.md#resummation, #overfitting-and-model-selection, #thermodynamic-engine), continuous and exact-discrete, stable at zero decay.
 *
 * A mode with per-step decay `k` (an eigenvalue of `ηH`) is propagated over `Δ` steps by
 * `(1 − k)^Δ` (exact, discrete) or `e^{−kΔ}` (continuous). Summing such factors over the
 * embedding times of a diagram gives the functions below. None of them divides by a decay
 * rate that may be zero: each has its limit (`T`, `T²/2`, …) built in.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/**
 * `P_T(s) = ∫_0^T e^{−st} dt = (1 − e^{−Ts})/s`, with `P_T(0) = T` (docs/theory.md#resummation, #thermodynamic-engine).
 *
 * The continuous propagator sum: the resummed weight of one edge whose time is free in
 * `[0, T]`. For `T = ∞`: `1/s` when `s > 0`, `+∞` when `s ≤ 0`.
 *
 * ## Method
 * `−expm1(−Ts)/s`, which is accurate for every normal `s ≠ 0` (no cancellation as `s → 0`);
 * subnormal `s` returns `T`.
 *
 * @param s - decay rate per unit time (any real; negative rates grow exponentially).
 * @param T - horizon, `0 ≤ T ≤ ∞`.
 * @throws InvalidArgumentError when `s` is NaN or `T` is negative or NaN.
 * @example
 * ```ts
 * propagatorIntegral(0, 10);   // 10
 * propagatorIntegral(0.5, 10); // 2·(1 − e^{−5}) ≈ 1.98652
 * ```
 */
export function propagatorIntegral(s: number, T: number): number {
  checkRate(s, "propagatorIntegral", "s");
  checkHorizon(T, "propagatorIntegral", false);
  if (T === Infinity) return s > 0 ? 1 / s : Infinity;
  if (Math.abs(s) < TINY) return T;
  return -Math.expm1(-T * s) / s;
}

/**
 * `D_T(k) = Σ_{j=0}^{T−1} (1 − k)^j = (1 − (1 − k)^T)/k`, with `D_T(0) = T`: the exact
 * discrete propagator sum (docs/theory.md#resummation: `H^{-1}(I − (I − ηH)^T) = η·D_T(ηH)`).
 *
 * For `T = ∞`: `1/k` when `0 < k < 2`, `+∞` when `k ≤ 0`, and NaN when `k ≥ 2` (the partial sums
 * oscillate without a limit).
 *
 * ## Method
 * For `1 − k > 0`: `(1 − k)^T = exp(T·log1p(−k))`, so `D_T = −expm1(T·log1p(−k))/k` keeps full
 * relative accuracy as `k → 0`. For `1 − k ≤ 0` there is no cancellation and the power is direct.
 *
 * @param k - decay per step (`1 − k` is the per-step factor); combine several modes with
 *   {@link combinedDecay}.
 * @param T - number of steps: a non-negative integer, or `∞`.
 * @throws InvalidArgumentError when `k` is NaN or `T` is not a non-negative integer or `∞`.
 * @example
 * ```ts
 * propagatorSum(0, 10);   // 10
 * propagatorSum(0.5, 3);  // 1 + 0.5 + 0.25 = 1.75
 * ```
 */
export function propagatorSum(k: number, T: number): number {
  checkRate(k, "propagatorSum", "k");
  checkHorizon(T, "propagatorSum", true);
  const q = 1 - k;
  if (T === Infinity) {
    if (k <= 0) return Infinity;
    return q > -1 ? 1 / k : NaN;
  }
  if (Math.abs(k) < TINY) return T;
  if (q > 0) return -Math.expm1(T * Math.log1p(-k)) / k;
  return (1 - q ** T) / k;
}

/**
 * The combined per-step decay of a product of modes: `1 − Π_i (1 − k_i)`.
 *
 * E.g. the variance of the pair `(μ, ν)` decays per step by `(1 − k_μ)(1 − k_ν)`, so its
 * discrete propagator sum is `propagatorSum(combinedDecay(k_μ, k_ν), T)`; to first order the
 * result is `Σ k_i`, the rate of the continuous version.
 *
 * ## Method
 * The recurrence `d ← d + k − d·k` (that is `1 − (1 − d)(1 − k)`) never forms `1 − k`, so
 * tiny decays keep their relative accuracy.
 *
 * @example
 * ```ts
 * combinedDecay(0.1, 0.2); // 1 − 0.9·0.8 = 0.28
 * ```
 */
export function combinedDecay(...ks: readonly number[]): number {
  let d = 0;
  for (const k of ks) d = d + k - d * k;
  return d;
}

/**
 * `∫∫_{u, v ≥ 0, u + v ≤ T} e^{−au − bv} du dv = ∫_0^T e^{−a(T−t)} P_t(b) dt = (P_T(a) − P_T(b))/(b − a)`:
 * the continuous weight of two nested propagators (docs/theory.md#thermodynamic-engine).
 *
 * A quantity created at time `s` decays at rate `b` until time `t > s`, where it is turned into
 * a second quantity that decays at rate `a` until `T` (in §H: the noise covariance `C` of a mode
 * pair, rate `b = k_μ + k_ο`, feeding the drift of mode `ξ` through `J`, rate `a = k_ξ`).
 * Symmetric in `a, b`; equals `T²/2` at `a = b = 0`, and `1/(ab)` at `T = ∞` for `a, b > 0`.
 *
 * ## Method
 * With `x = −aT`, `y = −bT` the value is `T²·E(x, y)`, where `E(x, y) = ∫∫_{u+v≤1} e^{xu+yv}`
 * is the divided difference `(φ₁(x) − φ₁(y))/(x − y)` of `φ₁(z) = (e^z − 1)/z`. When `x` and `y`
 * are close (relative to `max(1, −(x+y)/2)`) the quotient would cancel, so it is replaced by
 * its expansion about the midpoint `m`: `φ₁'(m) + φ₁'''(m)(x − y)²/24`, with
 * `φ₁^{(n)}(m) = ∫_0^1 s^n e^{ms} ds` (a power series for `|m| ≤ 2`, the recurrence
 * `I_n = (e^m − n·I_{n−1})/m` beyond).
 *
 * @param a - decay rate of the outer (later) propagator.
 * @param b - decay rate of the inner (earlier) propagator.
 * @param T - horizon, `0 ≤ T ≤ ∞`.
 * @throws InvalidArgumentError when a rate is NaN or `T` is negative or NaN.
 * @example
 * ```ts
 * nestedPropagatorIntegral(0, 0, 4);   // 8 = T²/2
 * nestedPropagatorIntegral(1, 2, Infinity); // 0.5 = 1/(ab)
 * ```
 */
export function nestedPropagatorIntegral(a: number, b: number, T: number): number {
  const where = "nestedPropagatorIntegral";
  checkRate(a, where, "a");
  checkRate(b, where, "b");
  checkHorizon(T, where, false);
  if (T === Infinity) return a > 0 && b > 0 ? 1 / (a * b) : Infinity;
  if (T === 0) return 0;
  return T * T * simplexExp(-a * T, -b * T);
}

/**
 * `Σ_{t=0}^{T−1} (1 − a)^{T−1−t} D_t(b) = Σ_{i, j ≥ 0, i + j ≤ T−2} (1 − a)^i (1 − b)^j`:
 * the exact discrete version of {@link nestedPropagatorIntegral} (docs/theory.md#thermodynamic-engine).
 *
 * Noise injected at steps `s < t` accumulates with per-step factor `1 − b` (use
 * {@link combinedDecay} for a mode pair) and is converted at step `t` into a quantity that
 * decays by `1 − a` per step until `T`. Equals `T(T−1)/2` at `a = b = 0`; at `T = ∞` it is
 * `1/(ab)` when `a, b ∈ (0, 2)`, `+∞` when a rate is `≤ 0` and the other `< 2`, else NaN.
 *
 * ## Method
 * The pair `(m_t, s_t)` with `s_{t+1} = (1 − b)s_t + 1`, `m_{t+1} = (1 − a)m_t + s_t` is one
 * upper-triangular 3×3 matrix power, taken by binary exponentiation in `O(log T)` products. The
 * diagonal is carried as its deviation from 1 (`(1 + d)(1 + e) = 1 + (d + e + de)`), so small
 * decays are not rounded away, and for `0 ≤ a, b ≤ 1` every product sums non-negative terms:
 * the relative error is `O(ε·log T)`.
 *
 * @param a - per-step decay of the outer propagator.
 * @param b - per-step decay of the inner propagator.
 * @param T - number of steps: a non-negative integer, or `∞`.
 * @throws InvalidArgumentError when a decay is NaN or `T` is not a non-negative integer or `∞`.
 * @example
 * ```ts
 * nestedPropagatorSum(0, 0, 5);     // 10 = T(T−1)/2
 * nestedPropagatorSum(0.5, 0.5, 3); // 1 + 0.5 + 0.5 = 2
 * ```
 */
export function nestedPropagatorSum(a: number, b: number, T: number): number {
  const where = "nestedPropagatorSum";
  checkRate(a, where, "a");
  checkRate(b, where, "b");
  checkHorizon(T, where, true);
  if (T === Infinity) {
    if (a >= 2 || b >= 2) return NaN;
    return a > 0 && b > 0 ? 1 / (a * b) : Infinity;
  }
  // [[1+d0, x01, x02], [0, 1+d1, x12], [0, 0, 1]] acting on (m, s, 1).
  let result: Tri = { d0: 0, d1: 0, x01: 0, x02: 0, x12: 0 };
  let base: Tri = { d0: -a, d1: -b, x01: 1, x02: 0, x12: 1 };
  let n = T;
  while (n > 0) {
    if (n % 2 === 1) result = triMul(result, base);
    n = Math.floor(n / 2);
    if (n > 0) base = triMul(base, base);
  }
  return result.x02;
}

/** Upper-triangular 3×3 with unit corner; the diagonal stored as deviations from 1. */
interface Tri {
  readonly d0: number;
  readonly d1: number;
  readonly x01: number;
  readonly x02: number;
  readonly x12: number;
}

function triMul(A: Tri, B: Tri): Tri {
  const a00 = 1 + A.d0;
  const a11 = 1 + A.d1;
  const b11 = 1 + B.d1;
  return {
    d0: A.d0 + B.d0 + A.d0 * B.d0,
    d1: A.d1 + B.d1 + A.d1 * B.d1,
    x01: a00 * B.x01 + A.x01 * b11,
    x02: a00 * B.x02 + A.x01 * B.x12 + A.x02,
    x12: a11 * B.x12 + A.x12,
  };
}

/** Below this a rate counts as zero (subnormal: `expm1`, `log1p` lose relative accuracy). */
const TINY = 1e-290;

/** `φ₁(z) = (e^z − 1)/z`, `φ₁(0) = 1`. */
function phi1(z: number): number {
  return Math.abs(z) < TINY ? 1 : Math.expm1(z) / z;
}

/** `∫_0^1 s^n e^{ms} ds = φ₁^{(n)}(m)`. */
function expMoment(n: number, m: number): number {
  if (Math.abs(m) <= 2) {
    // Σ_j m^j / (j! (n + j + 1)); |m| ≤ 2 so 40 terms are far past convergence.
    let term = 1;
    let sum = 1 / (n + 1);
    for (let j = 1; j < 40; j++) {
      term *= m / j;
      sum += term / (n + j + 1);
    }
    return sum;
  }
  const em = Math.exp(m);
  let I = Math.expm1(m) / m;
  for (let j = 1; j <= n; j++) I = (em - j * I) / m;
  return I;
}

/** `∫∫_{u,v≥0, u+v≤1} e^{xu + yv} du dv`, the divided difference `exp[0, x, y]`. */
function simplexExp(x: number, y: number): number {
  const m = 0.5 * (x + y);
  const delta = x - y;
  if (Math.abs(delta) <= 1e-3 * Math.max(1, -m)) {
    return expMoment(1, m) + (expMoment(3, m) * delta * delta) / 24;
  }
  return (phi1(x) - phi1(y)) / delta;
}

function checkRate(x: number, where: string, arg: string): void {
  if (typeof x !== "number" || Number.isNaN(x)) throw new InvalidArgumentError(where, arg, "a number", x);
}

function checkHorizon(T: number, where: string, integer: boolean): void {
  const ok = typeof T === "number" && T >= 0 && (T === Infinity || !integer || Number.isSafeInteger(T));
  if (!ok) {
    throw new InvalidArgumentError(where, "T", integer ? "a non-negative integer or Infinity" : "a number in [0, ∞]", T);
  }
}

/** Which propagator a resummed prediction uses. */
export type PropagatorKind = "continuous" | "discrete";

/** Options shared by the resummed predictions. */
export interface ResummationOptions {
  /**
   * `"continuous"`: propagators `e^{−ηHΔt}` and time integrals (the paper's resummed forms);
   * `"discrete"`: the exact per-step propagators `(I − ηH)^{Δt}` and time sums (needs an
   * integer `T`), exact for SGD on a quadratic landscape.
   *
   * @defaultValue "continuous"
   */
  readonly propagator?: PropagatorKind;
}

/** Completed and validated options, as the time weights of 1, 2, 3 modes and nested pairs. */
export interface PropagatorWeights {
  readonly kind: PropagatorKind;
  /** Weight of a product of modes with per-step decays `ks`: `P_T(Σk)` or `D_T(1 − Π(1 − k))`. */
  readonly sum: (...ks: readonly number[]) => number;
  /** Nested weight: inner product of modes `ks`, then outer mode `a`. */
  readonly nested: (a: number, ...ks: readonly number[]) => number;
}

/**
 * complete → validate → use for {@link ResummationOptions} and the horizon `T`.
 *
 * @throws InvalidArgumentError for an unknown propagator, or a `T` that is not in `[0, ∞]`
 *   (continuous) or not a non-negative integer or `∞` (discrete).
 */
export function resolvePropagator(options: ResummationOptions, T: number, where: string): PropagatorWeights {
  const kind = options.propagator ?? "continuous";
  if (kind !== "continuous" && kind !== "discrete") {
    throw new InvalidArgumentError(where, "options.propagator", '"continuous" or "discrete"', kind);
  }
  checkHorizon(T, where, kind === "discrete");
  if (kind === "continuous") {
    return {
      kind,
      sum: (...ks) => propagatorIntegral(total(ks), T),
      nested: (a, ...ks) => nestedPropagatorIntegral(a, total(ks), T),
    };
  }
  return {
    kind,
    sum: (...ks) => propagatorSum(combinedDecay(...ks), T),
    nested: (a, ...ks) => nestedPropagatorSum(a, combinedDecay(...ks), T),
  };
}

function total(ks: readonly number[]): number {
  let s = 0;
  for (const k of ks) s += k;
  return s;
}
