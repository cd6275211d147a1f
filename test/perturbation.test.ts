/**
 * The built-in verification of docs/theory.md#verification: the diagram sum Σ_D coefficient(D)·value(D),
 * in exact rationals, equals direct perturbation of the update rule with truncated power
 * series in η, averaged exactly over every training set (and every shuffle), on random
 * polynomial landscapes with a finite population — for every schedule, test and train.
 */
import { describe, expect, test } from "vitest";
import { Rational } from "../src/algebra/rational.js";
import { diagramCoefficient, type LossKind } from "../src/diagrams/coefficient.js";
import { enumerateDiagrams } from "../src/diagrams/enumerate.js";
import { perturbationSeriesExact } from "../src/landscapes/directPerturbation.js";
import { type PolynomialLandscape, randomPolynomialLandscape } from "../src/landscapes/polynomialLandscape.js";
import { exactDiagramValue } from "../src/predict/exactValue.js";
import { customSchedule, gdSchedule, type Schedule, sgdSchedule } from "../src/schedule/schedule.js";
import { SEED } from "./helpers/seed.js";

function diagramSeries(l: PolynomialLandscape, s: Schedule, order: number, loss: LossKind): Rational[] {
  const out: Rational[] = [];
  for (let d = 0; d <= order; d++) {
    let sum = Rational.ZERO;
    for (const c of enumerateDiagrams(d, { rootTies: loss === "train" })) {
      const k = diagramCoefficient(c.diagram, s, loss);
      if (!k.isZero()) sum = sum.add(k.mul(exactDiagramValue(c.diagram, l, loss)));
    }
    out.push(sum);
  }
  return out;
}

const R = (n: number, d = 1) => Rational.of(n, d);

const cases: [string, Schedule, number][] = [
  ["vanilla SGD, N = 3", sgdSchedule(3), 3],
  ["batch 2, N = 4", sgdSchedule(4, { batch: 2 }), 3],
  ["2 epochs, N = 2", sgdSchedule(2, { epochs: 2 }), 3],
  ["2 epochs of batch 2, N = 4", sgdSchedule(4, { batch: 2, epochs: 2 }), 3],
  ["2 epochs reshuffled, N = 3 (order 4)", sgdSchedule(3, { epochs: 2, shuffle: true }), 4],
  ["3 epochs reshuffled, N = 2", sgdSchedule(2, { epochs: 3, shuffle: true }), 3],
  ["GD, N = 3, T = 3", gdSchedule(3, 3), 3],
  ["heavy-ball momentum β = 1/2, N = 3", sgdSchedule(3, { momentum: R(1, 2) }), 3],
  ["momentum β = 9/10 with 2 epochs of batch 2", sgdSchedule(4, { batch: 2, epochs: 2, momentum: R(9, 10) }), 3],
  ["GD with momentum", gdSchedule(2, 3, { momentum: R(1, 3) }), 3],
  ["per-step learning rates", sgdSchedule(3, { etaScale: [R(1), R(1, 2), R(3, 2)] }), 3],
  ["reshuffled epochs with momentum", sgdSchedule(2, { epochs: 2, shuffle: true, momentum: R(1, 4) }), 3],
  ["custom batches", customSchedule(3, [[0, 1], [2], [1, 2], [0]]), 3],
];

describe("diagram sum = direct perturbation (exact rationals)", () => {
  for (const [name, schedule, order] of cases) {
    for (const loss of ["test", "train"] as const) {
      test(`${name}, ${loss} loss, through order ${order}`, () => {
        for (const seed of [SEED, SEED + 1]) {
          const l = randomPolynomialLandscape({ dim: 2, populationSize: 2, maxDegree: 4, termsPerDatum: 4, seed });
          const direct = perturbationSeriesExact(l, schedule, order, loss);
          const diagrams = diagramSeries(l, schedule, order, loss);
          expect(diagrams.map(String), `seed ${seed}`).toEqual(direct.map(String));
        }
      });
    }
  }

  test("the check can fail: a wrong schedule gives a different series", () => {
    const l = randomPolynomialLandscape({ dim: 2, populationSize: 2, maxDegree: 4, termsPerDatum: 4, seed: SEED });
    const direct = perturbationSeriesExact(l, sgdSchedule(2, { epochs: 2 }), 3, "test");
    const wrong = diagramSeries(l, sgdSchedule(2, { epochs: 2, shuffle: true }), 3, "test");
    expect(wrong.map(String)).toEqual(direct.map(String)); // shuffling is invisible through η³ (docs/theory.md#epochs-and-shuffling)
    const wrong4 = diagramSeries(l, sgdSchedule(2, { epochs: 2, shuffle: true }), 4, "test");
    const direct4 = perturbationSeriesExact(l, sgdSchedule(2, { epochs: 2 }), 4, "test");
    expect(wrong4.map(String)).not.toEqual(direct4.map(String)); // …and visible at η⁴
  });
});
