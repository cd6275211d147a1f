/**
 * Hand-coded one-dimensional versions of the built-in synthetic landscapes (docs/theory.md#cubic-chi, #gauss-fit, #mean-estimation): exact derivative polynomials at `θ0` for the engine's series, and float64 gradients
 * for fast simulation. Tests check both against the jax-js oracle of the built-in landscapes.
 * Pure (no jax-js), so that the explorer page can bundle them.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { normalExpectation, type OneDimDerivatives, type XPolynomial } from "./oneDimSeries.js";

/** A one-dimensional loss family with `x ~ N(0, 1)`, in exact and float form. */
export interface OneDimModel extends OneDimDerivatives {
  readonly theta0: number;
  /** `l_x(θ)` (the train loss of a simulation averages it over the training set). */
  loss(theta: number, x: number): number;
  /** `∂_θ l_x(θ)`. */
  gradient(theta: number, x: number): number;
  /** The test loss `E_x l_x(θ)`. */
  testLoss(theta: number): number;
}

const half = Rational.of(1, 2);
const r = (n: number, d = 1) => Rational.of(n, d);

/**
 * Cubic-chi (§I): `l_x(w) = w³ − w(x² − 1)`, `w0 = 0`, test loss `w³`.
 * `∂l = 1 − x²` at 0, `∂²l = 0`, `∂³l = 6`.
 */
export function cubicChiModel(): OneDimModel {
  return {
    name: "cubic-chi",
    theta0: 0,
    node: (j) => (j === 1 ? [r(1), r(0), r(-1)] : j === 3 ? [r(6)] : []),
    root: (k) => (k === 3 ? r(6) : Rational.ZERO),
    loss: (w, x) => w * w * w - w * (x * x - 1),
    gradient: (w, x) => 3 * w * w - (x * x - 1),
    testLoss: (w) => w * w * w,
  };
}

/**
 * Gaussian fit (§J): `l_x(h) = ½(h + x²e^{−h}) − ½`, `h0 = 0`, test loss `(h + e^{−h} − 1)/2`.
 * `∂l = ½(1 − x²)` and `∂^j l = ½(−1)^j x²` (`j ≥ 2`) at 0; test loss derivatives `½(−1)^k`
 * for `k ≥ 2`, 0 for `k ≤ 1`.
 */
export function gaussFitModel(): OneDimModel {
  return {
    name: "gauss-fit",
    theta0: 0,
    node: (j) => (j === 1 ? [half, r(0), half.neg()] : [r(0), r(0), Rational.of(j % 2 === 0 ? 1 : -1, 2)]),
    root: (k) => (k >= 2 ? Rational.of(k % 2 === 0 ? 1 : -1, 2) : Rational.ZERO),
    loss: (h, x) => 0.5 * (h + x * x * Math.exp(-h)) - 0.5,
    gradient: (h, x) => 0.5 * (1 - x * x * Math.exp(-h)),
    testLoss: (h) => (h + Math.expm1(-h)) / 2,
  };
}

/**
 * The noisy quadratic (§K's mean-estimation family without `λ`): `l_x(θ) = ½Hθ² + xSθ`,
 * started at `θ0 = a`; test loss `½Hθ²`.
 */
export function quadraticModel(H: Rational, S: Rational, a: Rational): OneDimModel {
  const h = H.toNumber();
  const s = S.toNumber();
  return {
    name: "quadratic",
    theta0: a.toNumber(),
    node: (j) => (j === 1 ? [H.mul(a), S] : j === 2 ? [H] : []),
    root: (k) => (k === 0 ? half.mul(H).mul(a).mul(a) : k === 1 ? H.mul(a) : k === 2 ? H : Rational.ZERO),
    loss: (theta, x) => 0.5 * h * theta * theta + s * x * theta,
    gradient: (theta, x) => h * theta + s * x,
    testLoss: (theta) => 0.5 * h * theta * theta,
  };
}

/** The moments of docs/theory.md#setting at `θ0`, exact. */
export interface OneDimMoments {
  readonly G: Rational;
  readonly H: Rational;
  readonly J: Rational;
  /** Gradient-noise variance `C = E[g²] − G²`. */
  readonly C: Rational;
  /** Third cumulant of the gradient noise `S = E[(g − G)³]`. */
  readonly S: Rational;
}

/** `G, H, J, C, S` of a one-dimensional model at `θ0`, from its derivative polynomials. */
export function oneDimMoments(model: OneDimDerivatives): OneDimMoments {
  const g = model.node(1);
  const G = normalExpectation(g);
  const centred: XPolynomial = g.map((c, m) => (m === 0 ? c.sub(G) : c));
  const power = (p: XPolynomial, k: number): XPolynomial => {
    let out: Rational[] = [Rational.ONE];
    for (let i = 0; i < k; i++) {
      const next = Array.from({ length: out.length + p.length - 1 }, () => Rational.ZERO);
      out.forEach((a, x) => p.forEach((b, y) => (next[x + y] = next[x + y].add(a.mul(b)))));
      out = next;
    }
    return out;
  };
  return {
    G,
    H: normalExpectation(model.node(2)),
    J: normalExpectation(model.node(3)),
    C: normalExpectation(power(centred, 2)),
    S: normalExpectation(power(centred, 3)),
  };
}
