/**
 * Prediction curves from an estimated η-series: polynomial orders with standard errors and the
 * autonomous-ODE fit with its band; series arithmetic on the same tuples.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { type Estimate, estimateMean } from "../stats/estimate.js";
import { type EstimatedSeries, evaluateSeries } from "./estimateSeries.js";
import { odeFitWithUncertainty } from "./odeFit.js";

/** `a − b` of two series measured on the same tuples (per-tuple, so covariances count). */
export function seriesDifference(a: EstimatedSeries, b: EstimatedSeries): EstimatedSeries {
  const samples = a.samples.map((s, k) => s.map((x, t) => x - b.samples[k][t]));
  const coefficients = samples.map((s) => estimateMean(s));
  return { coefficients, samples };
}

/** One η of a predicted curve. */
export interface CurvePoint {
  readonly eta: number;
  /** Polynomial predictions of orders 0..order (index k uses c_0..c_k), with standard errors. */
  readonly poly: readonly Estimate[];
  /** Autonomous-ODE fit of degree `min(3, order)` with a 95% band (docs/theory.md#autonomous-ode-fits). */
  readonly ode: { readonly value: number; readonly lower: number; readonly upper: number };
}

/** Polynomial and ODE-fit predictions of `series` at every η. */
export function predictCurve(series: EstimatedSeries, etas: readonly number[], order: number, seed: number, odeDegree: 1 | 2 | 3 = Math.min(3, order) as 1 | 2 | 3): CurvePoint[] {
  const c = series.coefficients;
  let band: { central: number; lower: number; upper: number }[];
  try {
    const fit = odeFitWithUncertainty(
      c.slice(0, odeDegree + 1).map((e) => e.value),
      c.slice(0, odeDegree + 1).map((e) => e.stderr),
      300,
      seed,
      etas,
      { degree: odeDegree },
    );
    band = fit.band.map((b) => ({ central: b.central, lower: b.lower, upper: b.upper }));
  } catch (e) {
    if (!(e instanceof InvalidArgumentError)) throw e;
    band = etas.map(() => ({ central: NaN, lower: NaN, upper: NaN }));
  }
  return etas.map((eta, i) => ({
    eta,
    poly: Array.from({ length: order + 1 }, (_, k) => evaluateSeries(series, eta, k)),
    ode: { value: band[i].central, lower: band[i].lower, upper: band[i].upper },
  }));
}

/** `series` with its constant term replaced by the exact `c0` (standard error 0). */
export function withExactC0(series: EstimatedSeries, c0: number): EstimatedSeries {
  const samples = series.samples.map((s, k) => (k === 0 ? new Float64Array(s.length).fill(c0) : s));
  const coefficients = series.coefficients.map((c, k) => (k === 0 ? { value: c0, stderr: 0, n: c.n } : c));
  return { coefficients, samples };
}

