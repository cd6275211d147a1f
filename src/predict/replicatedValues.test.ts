import { describe, expect, test } from "vitest";
import { coefficientTable } from "../diagrams/table.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { type Monomial, partialDerivative, type PolynomialLandscape, randomPolynomialLandscape } from "../landscapes/polynomialLandscape.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { SEED } from "../../test/helpers/seed.js";
import { sampleDiagramValues, seriesFromValues } from "./estimateSeries.js";
import { exactSeries } from "./exactSeries.js";
import { sampleDiagramValuesReplicated } from "./replicatedValues.js";

/** Float64 oracle of a polynomial landscape: symbolic partial derivatives, evaluated in floats. */
function polynomialOracle(l: PolynomialLandscape): DerivativeOracle<number> {
  const P = l.dim;
  const theta = l.theta0.map((r) => r.toNumber());
  const evalPoly = (poly: readonly Monomial[]) => poly.reduce((s, m) => s + m.coef.toNumber() * m.powers.reduce((p, e, j) => p * theta[j] ** e, 1), 0);
  // value[x][k] maps an index tuple (a_1..a_k) to ∂_{a_1..a_k} l_x(θ0)
  const cache = new Map<string, number>();
  const partial = (x: number, idx: readonly number[]): number => {
    const key = `${x}:${idx.join(",")}`;
    let v = cache.get(key);
    if (v === undefined) {
      let poly: readonly Monomial[] = l.population[x];
      for (const a of idx) poly = partialDerivative(poly, a);
      cache.set(key, (v = evalPoly(poly)));
    }
    return v;
  };
  const contract = (x: number, dirs: readonly Float64Array[], free: number | null): number => {
    let total = 0;
    const rec = (k: number, idx: number[], w: number): void => {
      if (k === dirs.length) {
        total += w * partial(x, free === null ? idx : [...idx, free]);
        return;
      }
      for (let a = 0; a < P; a++) if (dirs[k][a] !== 0) rec(k + 1, [...idx, a], w * dirs[k][a]);
    };
    rec(0, [], 1);
    return total;
  };
  return {
    dim: P,
    directionalDerivative: (_t, x, dirs) => contract(x, dirs, null),
    directionalGradient: (_t, x, dirs) => Float64Array.from({ length: P }, (_, i) => contract(x, dirs, i)),
  };
}

describe("replicated tie classes", () => {
  const l = randomPolynomialLandscape({ dim: 2, populationSize: 4, maxDegree: 4, termsPerDatum: 4, seed: SEED % 1000 });
  const M = l.population.length;
  const setup = {
    oracle: polynomialOracle(l),
    theta0: Float64Array.from(l.theta0, (r) => r.toNumber()),
    drawTrain: (rng: { int(n: number): number }) => rng.int(M),
    drawTest: (rng: { int(n: number): number }) => rng.int(M),
  };
  // Two epochs: tied nodes at different steps, so tied diagrams matter.
  const schedule = sgdSchedule(2, { epochs: 2 });
  const specs = (["test", "train"] as const).map((loss) => ({ loss, diagrams: coefficientTable(schedule, 3, loss) }));

  test("unbiased (5σ) for test and train series, and less variance than one datum per tie class", () => {
    const rep = sampleDiagramValuesReplicated(setup, specs, 600, SEED, 6, 6);
    const plain = sampleDiagramValues(setup, specs, 600, SEED, undefined, 6);
    (["test", "train"] as const).forEach((loss, s) => {
      const exact = exactSeries(l, schedule, 3, loss).coefficients.map((c) => c.toNumber());
      const est = seriesFromValues([{ spec: specs[s], values: rep[s], sign: 1 }], 3);
      const base = seriesFromValues([{ spec: specs[s], values: plain[s], sign: 1 }], 3);
      for (let k = 0; k <= 3; k++) {
        const e = est.coefficients[k];
        expect(Math.abs(e.value - exact[k]), `${loss} k=${k}: ${e.value} ± ${e.stderr} vs ${exact[k]} (seed ${SEED})`).toBeLessThanOrEqual(5 * e.stderr + 1e-12);
      }
      expect(est.coefficients[2].stderr).toBeLessThan(base.coefficients[2].stderr);
    });
  });
});
