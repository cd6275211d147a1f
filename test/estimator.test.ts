/**
 * The sampled (U-statistic) diagram estimates are unbiased: on a polynomial landscape with a
 * finite population, the estimated series agrees with the exact one within 5 standard
 * errors, and the standard error shrinks like 1/√n.
 */
import { describe, expect, test } from "vitest";
import { Rational } from "../src/algebra/rational.js";
import { coefficientTable } from "../src/diagrams/table.js";
import type { DerivativeOracle } from "../src/landscapes/derivativeOracle.js";
import { contractDerivative, contractDerivativeScalar, type PolynomialLandscape, randomPolynomialLandscape } from "../src/landscapes/polynomialLandscape.js";
import { evaluateSeries, sampleDiagramValues, seriesFromValues } from "../src/predict/estimateSeries.js";
import { exactSeries } from "../src/predict/exactSeries.js";
import { sgdSchedule } from "../src/schedule/schedule.js";
import { SEED } from "./helpers/seed.js";

/** Float64 oracle over population indices (exact rational derivatives, converted). */
function polynomialOracle(l: PolynomialLandscape): DerivativeOracle<number> {
  const toR = (v: Float64Array) => Array.from(v, (x) => Rational.of(BigInt(Math.round(x * 2 ** 40)), 2n ** 40n));
  const theta = l.theta0;
  return {
    dim: l.dim,
    directionalDerivative: (_t, i, dirs) => contractDerivativeScalar(l.population[i], theta, dirs.map(toR)).toNumber(),
    directionalGradient: (_t, i, dirs) => Float64Array.from(contractDerivative(l.population[i], theta, dirs.map(toR)), (r) => r.toNumber()),
  };
}

/**
 * `sampleDiagramValues` in chunks of independent tuples (seeds `seed`, `seed + 1`, …), yielding
 * to the event loop between chunks: the exact-rational oracle is slow, and a test that blocks
 * its worker for a minute makes vitest's worker RPC time out on a loaded machine.
 */
async function sampleInChunks(
  setup: Parameters<typeof sampleDiagramValues<number>>[0],
  specs: Parameters<typeof sampleDiagramValues<number>>[1],
  tuples: number,
  seed: number,
  batch = 1,
): Promise<number[][][]> {
  const out: number[][][] = specs.map(() => []);
  for (let done = 0, k = 0; done < tuples; k++) {
    const n = Math.min(100, tuples - done);
    const part = sampleDiagramValues(setup, specs, n, seed * 1000 + k, undefined, batch);
    part.forEach((p, s) => out[s].push(...p));
    done += n;
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

describe("sampled diagram values", () => {
  const l = randomPolynomialLandscape({ dim: 2, populationSize: 4, maxDegree: 4, termsPerDatum: 4, seed: SEED });
  const M = l.population.length;
  const setup = {
    oracle: polynomialOracle(l),
    theta0: Float64Array.from(l.theta0, (r) => r.toNumber()),
    drawTrain: (rng: { int(n: number): number }) => rng.int(M),
    drawTest: (rng: { int(n: number): number }) => rng.int(M),
  };
  const schedule = sgdSchedule(4);
  const specs = (["test", "train"] as const).map((loss) => ({ loss, diagrams: coefficientTable(schedule, 3, loss) }));

  test("test, train and gap series agree with the exact ones within 5σ", async () => {
    const values = await sampleInChunks(setup, specs, 4000, SEED);
    const test = seriesFromValues([{ spec: specs[0], values: values[0], sign: 1 }], 3);
    const train = seriesFromValues([{ spec: specs[1], values: values[1], sign: 1 }], 3);
    const gap = seriesFromValues(
      [
        { spec: specs[0], values: values[0], sign: 1 },
        { spec: specs[1], values: values[1], sign: -1 },
      ],
      3,
    );
    const exactTest = exactSeries(l, schedule, 3, "test").coefficients.map((c) => c.toNumber());
    const exactTrain = exactSeries(l, schedule, 3, "train").coefficients.map((c) => c.toNumber());
    for (let k = 0; k <= 3; k++) {
      for (const [est, exact] of [
        [test.coefficients[k], exactTest[k]],
        [train.coefficients[k], exactTrain[k]],
        [gap.coefficients[k], exactTest[k] - exactTrain[k]],
      ] as const) {
        expect(Math.abs(est.value - exact), `k=${k}: ${est.value} ± ${est.stderr} vs ${exact} (seed ${SEED})`).toBeLessThanOrEqual(5 * est.stderr + 1e-12);
      }
    }
    const atEta = evaluateSeries(test, 0.05);
    const exactAtEta = exactTest.reduce((s, c, k) => s + c * 0.05 ** k, 0);
    expect(Math.abs(atEta.value - exactAtEta)).toBeLessThanOrEqual(5 * atEta.stderr + 1e-12);
  });

  test("batch means (untied classes) stay unbiased and shrink the error", async () => {
    const single = await sampleInChunks(setup, specs, 600, SEED + 5);
    const batched = await sampleInChunks(setup, specs, 600, SEED + 5, 8);
    const exactTest = exactSeries(l, schedule, 3, "test").coefficients.map((c) => c.toNumber());
    const s1 = seriesFromValues([{ spec: specs[0], values: single[0], sign: 1 }], 3);
    const s8 = seriesFromValues([{ spec: specs[0], values: batched[0], sign: 1 }], 3);
    for (let k = 0; k <= 3; k++) {
      const e = s8.coefficients[k];
      expect(Math.abs(e.value - exactTest[k]), `k=${k} (seed ${SEED})`).toBeLessThanOrEqual(5 * e.stderr + 1e-12);
    }
    expect(s8.coefficients[1].stderr).toBeLessThan(0.7 * s1.coefficients[1].stderr);
  });

  test("standard errors shrink like 1/√n", async () => {
    const small = seriesFromValues([{ spec: specs[0], values: (await sampleInChunks(setup, specs.slice(0, 1), 500, SEED))[0], sign: 1 }], 3);
    const big = seriesFromValues([{ spec: specs[0], values: (await sampleInChunks(setup, specs.slice(0, 1), 4500, SEED + 1))[0], sign: 1 }], 3);
    const ratio = small.coefficients[2].stderr / big.coefficients[2].stderr;
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(4.5);
  });
});
