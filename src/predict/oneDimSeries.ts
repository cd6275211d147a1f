/**
 * Exact high-order η-series on one-dimensional landscapes whose per-datum derivatives at `θ0`
 * are polynomials in a standard normal datum `x` (cubic-chi, Gaussian fit, the noisy
 * quadratic): the engine's exact coefficients times exact diagram values.
 *
 * In one dimension every contraction is a product, so a diagram's value factorises over its
 * tie classes: `value(D) = ∂^k s(θ0) · Π_classes E_x[Π_{v ∈ class} ∂^{k_v+1} l_x(θ0)]`, where `k_v`
 * is node `v`'s number of children, `k` the root's, and untied nodes are classes of one. Each
 * class expectation is a moment of `x`, `E[x^{2m}] = (2m − 1)!!`, so every value is an exact
 * rational (docs/theory.md#exact-mode).
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { coefficientTable } from "../diagrams/table.js";
import type { DiagramRecord } from "../diagrams/format.js";
import { InvalidArgumentError } from "../errors.js";
import type { Schedule } from "../schedule/schedule.js";

/** Polynomial in `x`: `coeffs[m]` multiplies `x^m`. */
export type XPolynomial = readonly Rational[];

/**
 * The derivatives at `θ0` of a one-dimensional loss family with standard normal data, and of
 * the measured function `s` (the test loss, `E_x l_x`, unless stated otherwise).
 */
export interface OneDimDerivatives {
  readonly name: string;
  /** `∂^j l_x(θ0)` as a polynomial in `x`, for `j ≥ 1`. */
  node(j: number): XPolynomial;
  /** `∂^k s(θ0)` for `k ≥ 0`. */
  root(k: number): Rational;
}

/** `E[x^m]` for `x ~ N(0, 1)`: 0 for odd `m`, `(m − 1)!!` for even `m`. */
export function normalMoment(m: number): Rational {
  if (!Number.isInteger(m) || m < 0) throw new InvalidArgumentError("normalMoment", "m", "a non-negative integer", m);
  if (m % 2 === 1) return Rational.ZERO;
  let p = 1n;
  for (let k = m - 1; k > 1; k -= 2) p *= BigInt(k);
  return Rational.int(p);
}

function multiply(a: XPolynomial, b: XPolynomial): Rational[] {
  if (a.length === 0 || b.length === 0) return [];
  const out = Array.from({ length: a.length + b.length - 1 }, () => Rational.ZERO);
  a.forEach((x, i) => {
    if (x.isZero()) return;
    b.forEach((y, j) => {
      if (!y.isZero()) out[i + j] = out[i + j].add(x.mul(y));
    });
  });
  return out;
}

/** `E_x[p(x)]` for `x ~ N(0, 1)`. */
export function normalExpectation(p: XPolynomial): Rational {
  return p.reduce((s, c, m) => (c.isZero() ? s : s.add(c.mul(normalMoment(m)))), Rational.ZERO);
}

/**
 * A diagram's exact value on a one-dimensional landscape (no powers of `η`): the product over
 * tie classes of `E[Π ∂^{k_v+1} l_x]` times the root derivative `∂^k s` (the root is untied).
 *
 * @param cache - optional memo of class expectations keyed by the sorted derivative orders.
 * @throws InvalidArgumentError when the root is tied (only test-type measurements are supported).
 */
export function oneDimDiagramValue(
  diagram: Pick<DiagramRecord, "order" | "parents" | "ties">,
  derivatives: OneDimDerivatives,
  cache: Map<string, Rational> = new Map(),
): Rational {
  const n = diagram.order + 1;
  const kids = new Array<number>(n).fill(0);
  for (const p of diagram.parents) kids[p]++;
  if (diagram.ties.some((t) => t.includes(0))) {
    throw new InvalidArgumentError("oneDimDiagramValue", "diagram", "untied at the root", JSON.stringify(diagram.ties));
  }
  let value = derivatives.root(kids[0]);
  if (value.isZero()) return value;
  const tied = new Set<number>();
  const classes: number[][] = diagram.ties.map((t) => {
    t.forEach((v) => tied.add(v));
    return t.map((v) => kids[v] + 1);
  });
  for (let v = 1; v < n; v++) if (!tied.has(v)) classes.push([kids[v] + 1]);
  for (const orders of classes) {
    const key = [...orders].sort((a, b) => a - b).join(",");
    let e = cache.get(key);
    if (e === undefined) {
      let p: XPolynomial = [Rational.ONE];
      for (const j of orders) p = multiply(p, derivatives.node(j));
      e = normalExpectation(p);
      cache.set(key, e);
    }
    if (e.isZero()) return Rational.ZERO;
    value = value.mul(e);
  }
  return value;
}

/** The result of {@link oneDimSeries}. */
export interface OneDimSeriesResult {
  /** `E[s(θ_T)] = Σ_d coefficients[d]·η^d + O(η^{maxOrder+1})`, exactly. */
  readonly coefficients: readonly Rational[];
  /** Number of diagrams with a non-zero coefficient, per order. */
  readonly diagrams: readonly number[];
  /** Number of those whose value is non-zero, per order. */
  readonly contributing: readonly number[];
}

/**
 * The exact η-series of `E[s(θ_T)]` after `schedule` (test-type measurement) on a
 * one-dimensional landscape: `c_d = Σ_{diagrams of order d} coefficient · value`, with the
 * engine's coefficients ({@link coefficientTable}) and {@link oneDimDiagramValue}.
 *
 * @param onOrder - called after each order (for progress).
 */
export function oneDimSeries(
  derivatives: OneDimDerivatives,
  schedule: Schedule,
  maxOrder: number,
  onOrder?: (order: number) => void,
): OneDimSeriesResult {
  const cache = new Map<string, Rational>();
  const coefficients: Rational[] = [];
  const diagrams: number[] = [];
  const contributing: number[] = [];
  const table = coefficientTable(schedule, maxOrder, "test", { polynomial: false, onOrder: (d) => onOrder?.(d) });
  for (let d = 0; d <= maxOrder; d++) {
    let sum = Rational.ZERO;
    let used = 0;
    let count = 0;
    for (const r of table) {
      if (r.order !== d) continue;
      count++;
      const v = oneDimDiagramValue(r, derivatives, cache);
      if (v.isZero()) continue;
      used++;
      sum = sum.add(Rational.parse(r.coefficient).mul(v));
    }
    coefficients.push(sum);
    diagrams.push(count);
    contributing.push(used);
  }
  return { coefficients, diagrams, contributing };
}

/** Estimates of the radius of convergence of `Σ c_d η^d` from the growth of its coefficients. */
export interface RadiusEstimate {
  /** `|c_{d−1}/c_d|` for the two highest orders with non-zero coefficients. */
  readonly ratio: number;
  /** `|c_d|^{−1/d}` at the highest non-zero order (root test). */
  readonly root: number;
  /**
   * `e^{−slope}` of a least-squares line through `log|c_d|` over the upper half of the
   * non-zero orders (the combined estimate quoted in verdicts).
   */
  readonly fit: number;
  /** Orders used by the fit. */
  readonly orders: readonly number[];
}

/**
 * The radius of convergence of a power series estimated from its coefficients: ratio test,
 * root test, and a log-linear fit of `|c_d|` against `d` over the upper half of the non-zero
 * orders. All three estimate the distance to the nearest singularity in the complex `η` plane.
 *
 * @throws InvalidArgumentError when fewer than two coefficients are non-zero.
 */
export function estimateRadius(coefficients: readonly number[]): RadiusEstimate {
  const nz = coefficients.map((c, d) => ({ c, d })).filter(({ c, d }) => d > 0 && c !== 0 && Number.isFinite(c));
  if (nz.length < 2) throw new InvalidArgumentError("estimateRadius", "coefficients", "at least two non-zero coefficients of order ≥ 1", coefficients.length);
  const last = nz[nz.length - 1];
  const prev = nz[nz.length - 2];
  const ratio = Math.pow(Math.abs(prev.c / last.c), 1 / (last.d - prev.d));
  const root = Math.pow(Math.abs(last.c), -1 / last.d);
  const upper = nz.slice(Math.floor(nz.length / 2));
  const pts = upper.length >= 2 ? upper : nz.slice(-2);
  const mx = pts.reduce((s, p) => s + p.d, 0) / pts.length;
  const my = pts.reduce((s, p) => s + Math.log(Math.abs(p.c)), 0) / pts.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of pts) {
    sxy += (p.d - mx) * (Math.log(Math.abs(p.c)) - my);
    sxx += (p.d - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { ratio, root, fit: Math.exp(-slope), orders: pts.map((p) => p.d) };
}

/** `Σ_{d ≤ order} c_d η^d` in float64 (Horner). */
export function evaluatePolynomial(coefficients: readonly number[], eta: number, order = coefficients.length - 1): number {
  let s = 0;
  for (let d = Math.min(order, coefficients.length - 1); d >= 0; d--) s = s * eta + coefficients[d];
  return s;
}
