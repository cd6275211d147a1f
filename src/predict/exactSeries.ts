import { Rational } from "../algebra/rational.js";
import { diagramCoefficient, type LossKind } from "../diagrams/coefficient.js";
import { enumerateDiagrams } from "../diagrams/enumerate.js";
import { requireInt } from "../errors.js";
import type { PolynomialLandscape } from "../landscapes/polynomialLandscape.js";
import type { Schedule } from "../schedule/schedule.js";
import { exactDiagramValue } from "./exactValue.js";

/** One diagram's share of the series. */
export interface SeriesTerm {
  readonly order: number;
  readonly key: string;
  readonly coefficient: Rational;
  readonly value: Rational;
}

export interface ExactSeriesResult {
  /** `E[s(θ_T)] = Σ_k coefficients[k]·η^k + O(η^{order+1})`, exactly. */
  readonly coefficients: readonly Rational[];
  readonly terms: readonly SeriesTerm[];
}

/**
 * The η-series of the expected test or train loss after a schedule, on a polynomial
 * landscape with a finite population, in exact rationals (docs/theory.md#exact-mode):
 * `c_k = Σ_{diagrams of order k} coefficient(D)·value(D)`.
 * @throws InvalidArgumentError unless `0 ≤ order ≤ 6`.
 */
export function exactSeries(landscape: PolynomialLandscape, schedule: Schedule, order: number, loss: LossKind): ExactSeriesResult {
  requireInt(order, "exactSeries", "order", 0, 6);
  const coefficients: Rational[] = [];
  const terms: SeriesTerm[] = [];
  for (let d = 0; d <= order; d++) {
    let sum = Rational.ZERO;
    for (const c of enumerateDiagrams(d, { rootTies: loss === "train" })) {
      const k = diagramCoefficient(c.diagram, schedule, loss);
      if (k.isZero()) continue;
      const v = exactDiagramValue(c.diagram, landscape, loss);
      sum = sum.add(k.mul(v));
      terms.push({ order: d, key: c.key, coefficient: k, value: v });
    }
    coefficients.push(sum);
  }
  return { coefficients, terms };
}
