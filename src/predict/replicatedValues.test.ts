import { describe, expect, test } from "vitest";
import { coefficientTable } from "../diagrams/table.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { type Monomial, partialDerivative, type PolynomialLandscape, randomPolynomialLandscape } from "../landscapes/polynomialLandscape.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { SEED } from "../../test/helpers/seed.js";
import { sampleDiagramValues, seriesFromValues } from "./estimateSeries.js";
import { makeDiagram } from "../diagrams/diagram.js";
import { exactSeries } from "./exactSeries.js";
import { exactDiagramValue } from "./exactValue.js";
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

describe("exact population means for untied parts", () => {
  const l = randomPolynomialLandscape({ dim: 2, populationSize: 5, maxDegree: 4, termsPerDatum: 4, seed: (SEED % 1000) + 1 });
  const M = l.population.length;
  const population = Array.from({ length: M }, (_, i) => i);
  const setup = {
    oracle: polynomialOracle(l),
    theta0: Float64Array.from(l.theta0, (r) => r.toNumber()),
    drawTrain: (rng: { int(n: number): number }) => rng.int(M),
    drawTest: (rng: { int(n: number): number }) => rng.int(M),
  };
  for (const [schedule, internal] of [
    [sgdSchedule(3), true],
    [sgdSchedule(2, { epochs: 2 }), true],
    [sgdSchedule(3), false],
    [sgdSchedule(2, { epochs: 2 }), false],
  ] as const) {
    const specs = (["test", "train"] as const).map((loss) => ({ loss, diagrams: coefficientTable(schedule, 3, loss) }));
    // Blocks of one datum per replica, or (with batch means for internal nodes) of two.
    const [batch, replicates] = internal ? [5, 5] : [6, 3];
    test(`unbiased (5σ), and exact where nothing is tied (${schedule.epochs ?? 1} epoch(s), exact internal nodes: ${internal}, ${replicates} replicas of ${batch / replicates})`, () => {
      const rep = sampleDiagramValuesReplicated(setup, specs, 400, SEED, batch, replicates, undefined, {
        exact: { train: population, test: population, internal },
        testBlock: internal ? undefined : 3,
      });
      (["test", "train"] as const).forEach((loss, s) => {
        const exact = exactSeries(l, schedule, 3, loss).coefficients.map((c) => c.toNumber());
        const est = seriesFromValues([{ spec: specs[s], values: rep[s], sign: 1 }], 3);
        for (let k = 0; k <= 3; k++) {
          const e = est.coefficients[k];
          expect(Math.abs(e.value - exact[k]), `${loss} k=${k}: ${e.value} ± ${e.stderr} vs ${exact[k]} (seed ${SEED})`).toBeLessThanOrEqual(5 * e.stderr + 1e-9 * (1 + Math.abs(exact[k])));
        }
        // Diagrams without ties are constants (exact), and equal their exact values.
        specs[s].diagrams.forEach((d, j) => {
          // Without exact internal nodes, only diagrams whose nodes all hang from the root are exact.
          if (d.ties.length > 0 || (!internal && d.parents.some((q) => q !== 0))) return;
          const col = rep[s].map((row) => row[j]);
          expect(Math.max(...col) - Math.min(...col)).toBe(0);
          const ex = exactDiagramValue(makeDiagram(d.parents, d.ties), l, loss).toNumber();
          expect(col[0]).toBeAllclose(ex, { rtol: 1e-9, atol: 1e-12 });
        });
      });
    });
  }
});

test("with only the test population known: c0 and the test gradient exact, the rest unbiased (5σ)", () => {
  const l = randomPolynomialLandscape({ dim: 2, populationSize: 5, maxDegree: 4, termsPerDatum: 4, seed: (SEED % 1000) + 3 });
  const M = l.population.length;
  const setup = {
    oracle: polynomialOracle(l),
    theta0: Float64Array.from(l.theta0, (r) => r.toNumber()),
    drawTrain: (rng: { int(n: number): number }) => rng.int(M),
    drawTest: (rng: { int(n: number): number }) => rng.int(M),
  };
  const schedule = sgdSchedule(3);
  const specs = [{ loss: "test" as const, diagrams: coefficientTable(schedule, 3, "test") }];
  const values = sampleDiagramValuesReplicated(setup, specs, 400, SEED, 4, 4, undefined, { exact: { test: Array.from({ length: M }, (_, i) => i) }, testBlock: 2 })[0];
  const exact = exactSeries(l, schedule, 3, "test").coefficients.map((c) => c.toNumber());
  const est = seriesFromValues([{ spec: specs[0], values, sign: 1 }], 3);
  expect(est.coefficients[0].value).toBeAllclose(exact[0], { rtol: 1e-12 });
  expect(est.coefficients[0].stderr).toBeLessThan(1e-12 * (1 + Math.abs(exact[0])));
  for (let k = 1; k <= 3; k++) {
    const e = est.coefficients[k];
    expect(Math.abs(e.value - exact[k]), `k=${k}: ${e.value} ± ${e.stderr} vs ${exact[k]} (seed ${SEED})`).toBeLessThanOrEqual(5 * e.stderr + 1e-9 * (1 + Math.abs(exact[k])));
  }
});

test("reusing buffers (oracles that write into a given vector) gives the same values", () => {
  const l = randomPolynomialLandscape({ dim: 3, populationSize: 5, maxDegree: 4, termsPerDatum: 5, seed: (SEED % 1000) + 2 });
  const M = l.population.length;
  const oracle = polynomialOracle(l);
  const base = {
    theta0: Float64Array.from(l.theta0, (r) => r.toNumber()),
    drawTrain: (rng: { int(n: number): number }) => rng.int(M),
    drawTest: (rng: { int(n: number): number }) => rng.int(M),
  };
  let writes = 0;
  const into = {
    ...oracle,
    meanDirectionalGradientInto(out: Float64Array, theta: Float64Array, xs: readonly number[], dirs: readonly Float64Array[]) {
      writes++;
      for (const x of xs) {
        const g = oracle.directionalGradient(theta, x, dirs);
        for (let j = 0; j < out.length; j++) out[j] += g[j] / xs.length;
      }
    },
  };
  const schedule = sgdSchedule(2, { epochs: 2 });
  const specs = (["test", "train"] as const).map((loss) => ({ loss, diagrams: coefficientTable(schedule, 3, loss) }));
  const population = Array.from({ length: M }, (_, i) => i);
  for (const options of [{}, { exact: { train: population, test: population, internal: false }, testBlock: 2 }]) {
    const a = sampleDiagramValuesReplicated({ ...base, oracle }, specs, 6, SEED, 6, 3, undefined, options);
    const b = sampleDiagramValuesReplicated({ ...base, oracle: into }, specs, 6, SEED, 6, 3, undefined, options);
    expect(b.flat(2)).toBeAllclose(a.flat(2), { rtol: 1e-12, atol: 1e-14 });
  }
  expect(writes).toBeGreaterThan(0);
});
