/**
 * docs/theory.md#batch-size-and-gdc, #momentum-and-hessian-update in exact arithmetic: direct perturbation of the GDC and
 * Hessian-preconditioned update rules (truncated series in η, exact averages over every
 * training set) on random polynomial landscapes.
 */
import { describe, expect, test } from "vitest";
import { Rational } from "../src/algebra/rational.js";
import { perturbationSeriesExact } from "../src/landscapes/directPerturbation.js";
import { randomPolynomialLandscape } from "../src/landscapes/polynomialLandscape.js";
import { gdSchedule, sgdSchedule } from "../src/schedule/schedule.js";
import { SEED } from "./helpers/seed.js";
import { closedFormScalars, indexSum, populationMoments } from "./oracle/populationMoments.js";
import { gdcRule, gdcSampleCovarianceRule, gdRule, hessianRule, ruleTestLossSeries, sgdRule } from "./oracle/updateRulePerturbation.js";

const R = (n: number, d = 1) => Rational.of(n, d);
const strs = (xs: readonly Rational[]) => xs.map(String);

const L = randomPolynomialLandscape({ dim: 2, populationSize: 3, maxDegree: 4, termsPerDatum: 4, seed: SEED % 100_000 });
const m = populationMoments(L);
const s = closedFormScalars(m);
/** `G·E[H_x g_x] = Σ_{ab} G_a K^{b,ab}`. */
const GHg = indexSum(L.dim, 2, ([a, b]) => m.G[a].mul(m.K[b][a][b]));
/** `G·∇trC = 2(G·E[H_x g_x] − GHG)`. */
const GgradTrC = R(2).mul(GHg.sub(s.GHG));

describe("the rule oracle agrees with the project's direct-perturbation oracle", () => {
  test("vanilla SGD and GD, through η³", () => {
    expect(strs(ruleTestLossSeries(L, 2, 2, 3, sgdRule))).toEqual(strs(perturbationSeriesExact(L, sgdSchedule(2), 3, "test")));
    expect(strs(ruleTestLossSeries(L, 2, 3, 3, gdRule))).toEqual(strs(perturbationSeriesExact(L, gdSchedule(2, 3), 3, "test")));
  });
});

describe("GDC (docs/theory.md#batch-size-and-gdc): GD on l + β·trĈ, β = η(N−1)/(4N), matches SGD through η²", () => {
  for (const [N, M] of [
    [2, 3],
    [4, 2],
  ] as const) {
    test(`N = T = ${N}, population ${M}`, () => {
      const l = M === 3 ? L : randomPolynomialLandscape({ dim: 2, populationSize: M, maxDegree: 4, termsPerDatum: 4, seed: (SEED % 100_000) + 1 });
      const mm = populationMoments(l);
      const ss = closedFormScalars(mm);
      const gdc = ruleTestLossSeries(l, N, N, 3, gdcRule(R(1)));
      const sgd = ruleTestLossSeries(l, N, N, 3, sgdRule);
      const gd = ruleTestLossSeries(l, N, N, 3, gdRule);
      expect(strs(gdc.slice(0, 3))).toEqual(strs(sgd.slice(0, 3)));
      const gdcCov = ruleTestLossSeries(l, N, N, 2, gdcSampleCovarianceRule(R(1)));
      expect(strs(gdcCov)).toEqual(strs(sgd.slice(0, 3)));
      // GD − SGD = T(N−1)/(4N)·η²·G·∇trC ≠ 0: the match is not trivial.
      const ghg = indexSum(l.dim, 2, ([a, b]) => mm.G[a].mul(mm.K[b][a][b]));
      const grad = R(2).mul(ghg.sub(ss.GHG));
      const expected = R(N).mul(R(N - 1, 4 * N)).mul(grad);
      expect(expected.isZero()).toBe(false);
      expect(gd[2].sub(sgd[2]).toString()).toBe(expected.toString());
      // The regularizer's own order-η² effect: −T·β/η·G·∇trC (so GDC − GD = −(GD − SGD)).
      expect(gdc[2].sub(gd[2]).toString()).toBe(expected.neg().toString());
    });
  }
  test("β scan: the order-η² gap to SGD is (1 − betaScale)·T(N−1)/(4N)·G·∇trC", () => {
    const sgd = ruleTestLossSeries(L, 2, 2, 2, sgdRule);
    for (const k of [R(0), R(1, 4), R(2), R(4)]) {
      const gdc = ruleTestLossSeries(L, 2, 2, 2, gdcRule(k));
      expect(gdc[2].sub(sgd[2]).toString()).toBe(R(1).sub(k).mul(R(2)).mul(R(1, 8)).mul(GgradTrC).toString());
    }
  });
});

describe("Hessian-preconditioned update (docs/theory.md#momentum-and-hessian-update): θ ← θ − (η⁻¹ + λH_t)⁻¹ g_t", () => {
  test.each([1, 2, 3])("leading effect +λη²T·G·E[H_x g_x] = λη²T(GHG + ½G·∇trC), T = N = %i", (T) => {
    const sgd = ruleTestLossSeries(L, T, T, 2, sgdRule);
    for (const lambda of [R(1), R(-3, 2), R(5, 7)]) {
      const h = ruleTestLossSeries(L, T, T, 2, hessianRule(lambda));
      expect(strs(h.slice(0, 2))).toEqual(strs(sgd.slice(0, 2)));
      const expected = lambda.mul(R(T)).mul(GHg);
      expect(h[2].sub(sgd[2]).toString()).toBe(expected.toString());
      expect(expected.toString()).toBe(lambda.mul(R(T)).mul(s.GHG.add(R(1, 2).mul(GgradTrC))).toString());
    }
    expect(GHg.isZero()).toBe(false);
  });
});
