/**
 * Test-only: direct perturbation of *arbitrary* update rules (GDC, the Hessian-preconditioned
 * update, …) in exact rationals. The weights are truncated power series in η; a rule maps the
 * series-valued weights of step `t` and the training data to the next weights, with access to
 * exact gradients and Hessian-vector products of every datum evaluated on series. The
 * expected test loss is averaged exactly over all `M^N` training sets drawn i.i.d. uniformly
 * from the landscape's population. Independent of the diagram engine and of src/simulate.
 */
import { Rational } from "../../src/algebra/rational.js";
import { type Monomial, type PolynomialLandscape, partialDerivative } from "../../src/landscapes/polynomialLandscape.js";
import {
  constantSeries,
  rationalField as F,
  seriesAdd,
  seriesMul,
  seriesScale,
  type TruncatedSeries,
} from "../../src/landscapes/truncatedSeries.js";

export type S = TruncatedSeries<Rational>;
export type Vec = S[];

/** What a rule may use at one step. */
export interface StepContext {
  readonly order: number;
  /** `∇l_x(θ)` on series-valued θ. */
  grad(x: number, theta: Vec): Vec;
  /** `∇²l_x(θ)·v`. */
  hvp(x: number, theta: Vec, v: Vec): Vec;
}

/** `θ_{t+1}` from `θ_t`; `data[n]` is the population index of training point `n`. */
export type UpdateRule = (t: number, theta: Vec, data: readonly number[], ctx: StepContext) => Vec;

/** Series helpers (exact, truncated at the context's order). */
export const ser = {
  add: (a: Vec, b: Vec): Vec => a.map((s, i) => seriesAdd(F, s, b[i])),
  sub: (a: Vec, b: Vec): Vec => a.map((s, i) => seriesAdd(F, s, seriesScale(F, Rational.int(-1), b[i]))),
  scale: (c: Rational, a: Vec): Vec => a.map((s) => seriesScale(F, c, s)),
  /** `η^k · a` (truncated). */
  etaPow: (k: number, a: Vec): Vec => a.map((s) => s.map((_, j) => (j >= k ? s[j - k] : Rational.ZERO))),
  mean: (vs: readonly Vec[]): Vec => {
    let acc = vs[0];
    for (let i = 1; i < vs.length; i++) acc = ser.add(acc, vs[i]);
    return ser.scale(Rational.of(1, vs.length), acc);
  },
};

function evalPoly(poly: readonly Monomial[], theta: Vec, order: number): S {
  let sum = constantSeries(F, Rational.ZERO, order);
  for (const m of poly) {
    let term = constantSeries(F, m.coef, order);
    m.powers.forEach((p, j) => {
      for (let k = 0; k < p; k++) term = seriesMul(F, term, theta[j]);
    });
    sum = seriesAdd(F, sum, term);
  }
  return sum;
}

/**
 * Coefficients `c_0..c_order` of `E[l(θ_T)] = Σ c_k η^k + O(η^{order+1})` (test loss: the
 * population mean) for `T` steps of `rule` on `N` i.i.d. training points.
 */
export function ruleTestLossSeries(l: PolynomialLandscape, N: number, T: number, order: number, rule: UpdateRule): Rational[] {
  const dim = l.dim;
  const M = l.population.length;
  const grads = l.population.map((d) => Array.from({ length: dim }, (_, i) => partialDerivative(d, i)));
  const hess = grads.map((g) => g.map((gi) => Array.from({ length: dim }, (_, j) => partialDerivative(gi, j))));
  const ctx: StepContext = {
    order,
    grad: (x, theta) => grads[x].map((p) => evalPoly(p, theta, order)),
    hvp: (x, theta, v) =>
      hess[x].map((row) => {
        let s = constantSeries(F, Rational.ZERO, order);
        row.forEach((p, j) => (s = seriesAdd(F, s, seriesMul(F, evalPoly(p, theta, order), v[j]))));
        return s;
      }),
  };
  let total = constantSeries(F, Rational.ZERO, order);
  const sets = M ** N;
  for (let code = 0; code < sets; code++) {
    const data = Array.from({ length: N }, (_, n) => Math.floor(code / M ** n) % M);
    let theta: Vec = l.theta0.map((t) => constantSeries(F, t, order));
    for (let t = 0; t < T; t++) theta = rule(t, theta, data, ctx);
    for (const d of l.population) total = seriesAdd(F, total, evalPoly(d, theta, order));
  }
  return seriesScale(F, Rational.of(1, sets * M), total);
}

/** Vanilla SGD (`T = N`, step `t` on point `t`). */
export const sgdRule: UpdateRule = (t, theta, data, ctx) => ser.sub(theta, ser.etaPow(1, ctx.grad(data[t], theta)));

/** GD on all `N` points. */
export const gdRule: UpdateRule = (_t, theta, data, ctx) => ser.sub(theta, ser.etaPow(1, ser.mean(data.map((x) => ctx.grad(x, theta)))));

/**
 * GDC with `β = betaScale·η(N−1)/(4N)`, written from docs/theory.md#batch-size-and-gdc:
 * `θ ← θ − η[(g0+g1)/2 + 2β(N/2)·H0(g0 − g1)]` (halves: first and second `N/2` points).
 */
export function gdcRule(betaScale: Rational): UpdateRule {
  return (_t, theta, data, ctx) => {
    const N = data.length;
    const h = N / 2;
    const g0 = ser.mean(data.slice(0, h).map((x) => ctx.grad(x, theta)));
    const g1 = ser.mean(data.slice(h).map((x) => ctx.grad(x, theta)));
    const v = ser.sub(g0, g1);
    const h0v = ser.mean(data.slice(0, h).map((x) => ctx.hvp(x, theta, v)));
    // η·2β(N/2)·H0 v = η²·betaScale·(N−1)/4·H0 v
    const extra = ser.etaPow(2, ser.scale(betaScale.mul(Rational.of(N - 1, 4)), h0v));
    const mean = ser.scale(Rational.of(1, 2), ser.add(g0, g1));
    return ser.sub(ser.sub(theta, ser.etaPow(1, mean)), extra);
  };
}

/**
 * The Hessian-preconditioned update on vanilla SGD batches,
 * `θ ← θ − (η^{-1} + λH_t)^{-1} g_t = θ − η Σ_k (−λη H_t)^k g_t` (Neumann series, exact to the
 * truncation order).
 */
export function hessianRule(lambda: Rational): UpdateRule {
  return (t, theta, data, ctx) => {
    const x = data[t];
    let term = ctx.grad(x, theta);
    let sum = term;
    for (let k = 1; k < ctx.order; k++) {
      term = ser.etaPow(1, ser.scale(lambda.neg(), ctx.hvp(x, theta, term)));
      sum = ser.add(sum, term);
    }
    return ser.sub(theta, ser.etaPow(1, sum));
  };
}

/**
 * GDC with the sample-covariance estimator: `θ ← θ − η[ḡ + β·(2/(N−1)) Σ_i H_i(g_i − ḡ)]`,
 * `β = betaScale·η(N−1)/(4N)`.
 */
export function gdcSampleCovarianceRule(betaScale: Rational): UpdateRule {
  return (_t, theta, data, ctx) => {
    const N = data.length;
    const grads = data.map((x) => ctx.grad(x, theta));
    const mean = ser.mean(grads);
    let acc = ser.scale(Rational.ZERO, mean);
    data.forEach((x, i) => (acc = ser.add(acc, ctx.hvp(x, theta, ser.sub(grads[i], mean)))));
    // η·β·2/(N−1) = η²·betaScale/(2N)
    const extra = ser.etaPow(2, ser.scale(betaScale.mul(Rational.of(1, 2 * N)), acc));
    return ser.sub(ser.sub(theta, ser.etaPow(1, mean)), extra);
  };
}
