import { describe, expect, test } from "vitest";
import { closedFormScalars, populationMoments } from "../../test/oracle/populationMoments.js";
import { Rational, binomial } from "../algebra/rational.js";
import { type Schedule, customSchedule, gdSchedule, sgdSchedule } from "../schedule/schedule.js";
import { BudgetExceededError, InvalidArgumentError } from "../errors.js";
import {
  perturbationSeries,
  perturbationSeriesExact,
  perturbationSeriesFloat,
} from "./directPerturbation.js";
import {
  type PolynomialLandscape,
  gradientAt,
  lossAt,
  randomPolynomialLandscape,
} from "./polynomialLandscape.js";
import { float64Field } from "./truncatedSeries.js";

const r = (n: number, d = 1): Rational => Rational.of(n, d);
const strs = (xs: readonly Rational[]): string[] => xs.map(String);

/** dim 2, M = 3, cubic and quartic terms, so that J and M3 are non-trivial. */
const L = randomPolynomialLandscape({ dim: 2, populationSize: 3, maxDegree: 4, termsPerDatum: 4, seed: 42 });

describe("perturbationSeries vs the closed forms of docs/theory.md#closed-forms", () => {
  test.each([1, 2, 3])("vanilla SGD test loss through η³, T = N = %i", (T) => {
    const s = closedFormScalars(populationMoments(L));
    const m = populationMoments(L);
    const Tq = r(T);
    const c = perturbationSeriesExact(L, sgdSchedule(T), 3, "test");
    expect(s.GG.isZero()).toBe(false);
    expect(s.JM3.isZero()).toBe(false);
    const c3 = Rational.int(binomial(T, 3))
      .mul(r(4).mul(s.GHHG).add(r(2).mul(s.JGGG)))
      .add(Rational.int(binomial(T, 2)).mul(r(3, 2).mul(s.JM2G).add(s.trM2HH).add(s.HKG)))
      .add(Tq.mul(s.JM3).div(r(6)));
    expect(strs(c)).toEqual(
      strs([
        m.l,
        Tq.mul(s.GG).neg(),
        Tq.mul(Tq.sub(r(1))).mul(s.GHG).add(Tq.div(r(2)).mul(s.M2H)),
        c3.neg(),
      ]),
    );
  });

  test.each([1, 2, 3])("one epoch of vanilla SGD, train loss: c1 = −(T·G·G + tr C), T = N = %i", (T) => {
    const s = closedFormScalars(populationMoments(L));
    const train = perturbationSeriesExact(L, sgdSchedule(T), 1, "train");
    const test_ = perturbationSeriesExact(L, sgdSchedule(T), 1, "test");
    expect(train[1].toString()).toBe(r(T).mul(s.GG).add(s.trC).neg().toString());
    // generalization gap at order η: tr C (Roberts 2018)
    expect(test_[1].sub(train[1]).toString()).toBe(s.trC.toString());
    expect(train[0].toString()).toBe(test_[0].toString());
  });

  test("GD: test c1 = −T·G·G and train c1 = −T(G·G + tr C / N)", () => {
    const s = closedFormScalars(populationMoments(L));
    for (const [N, T] of [[1, 1], [2, 3], [3, 2]]) {
      expect(perturbationSeriesExact(L, gdSchedule(N, T), 1, "test")[1].toString()).toBe(r(T).mul(s.GG).neg().toString());
      expect(perturbationSeriesExact(L, gdSchedule(N, T), 1, "train")[1].toString()).toBe(
        r(T).mul(s.GG.add(s.trC.div(r(N)))).neg().toString(),
      );
    }
  });

  test("heavy-ball momentum: c1 = −G·G Σ_{Δ=1}^{T} (1 − β^Δ)/(1 − β)", () => {
    const s = closedFormScalars(populationMoments(L));
    const beta = r(1, 3);
    const T = 3;
    const weights = [1, 2, 3].map((d) => Rational.ONE.sub(beta.pow(d)).div(Rational.ONE.sub(beta)));
    const total = weights.reduce((a, b) => a.add(b));
    const c = perturbationSeriesExact(L, sgdSchedule(T, { momentum: beta }), 1, "test");
    expect(c[1].toString()).toBe(total.mul(s.GG).neg().toString());
  });

  test("per-step rates: c1 = −G·G Σ_t r_t", () => {
    const s = closedFormScalars(populationMoments(L));
    const rates = [r(1, 2), r(2), r(3, 4)];
    const c = perturbationSeriesExact(L, sgdSchedule(3, { etaScale: rates }), 1, "test");
    expect(c[1].toString()).toBe(r(13, 4).mul(s.GG).neg().toString());
  });
});

/**
 * Independent check of the series machinery itself: with a polynomial loss the final
 * weights are polynomials in η, so at a high enough order the truncated series is the whole
 * polynomial and must equal a plain exact-rational run of SGD at a concrete η, averaged over
 * every training set (and every epoch order).
 */
function directExpectedLoss(
  l: PolynomialLandscape,
  N: number,
  orders: readonly (readonly (readonly number[])[])[],
  eta: Rational,
  loss: "test" | "train",
  momentum = Rational.ZERO,
  rates?: readonly Rational[],
): Rational {
  const M = l.population.length;
  let total = Rational.ZERO;
  let count = 0;
  for (let code = 0; code < M ** N; code++) {
    const data = Array.from({ length: N }, (_, n) => Math.floor(code / M ** n) % M);
    for (const batches of orders) {
      let theta = [...l.theta0];
      let v = theta.map(() => Rational.ZERO);
      batches.forEach((b, t) => {
        const grads = b.map((n) => gradientAt(l.population[data[n]], theta));
        const step = eta.mul(rates?.[t] ?? Rational.ONE).div(r(b.length));
        const gbar = theta.map((_, i) => grads.reduce((s, g) => s.add(g[i]), Rational.ZERO));
        v = v.map((vi, i) => momentum.mul(vi).sub(step.mul(gbar[i])));
        theta = theta.map((x, i) => x.add(v[i]));
      });
      const value =
        loss === "test"
          ? l.population.reduce((s, d) => s.add(lossAt(d, theta)), Rational.ZERO).div(r(M))
          : data.reduce((s, x) => s.add(lossAt(l.population[x], theta)), Rational.ZERO).div(r(N));
      total = total.add(value);
      count++;
    }
  }
  return total.div(r(count));
}

function evalSeries(c: readonly Rational[], eta: Rational): Rational {
  return c.reduceRight((acc, ck) => acc.mul(eta).add(ck), Rational.ZERO);
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe("perturbationSeries at full order equals exact SGD runs", () => {
  const quad = randomPolynomialLandscape({ dim: 2, populationSize: 2, maxDegree: 2, termsPerDatum: 4, seed: 8 });
  const cubic = randomPolynomialLandscape({ dim: 2, populationSize: 2, maxDegree: 3, termsPerDatum: 3, seed: 21 });
  const eta = r(1, 3);

  test.each<[string, PolynomialLandscape, Schedule, number, (readonly (readonly number[])[])[]]>([
    // quadratic loss: θ_t has degree t in η, the loss degree 2T
    ["vanilla SGD, quadratic", quad, sgdSchedule(3), 6, [[[0], [1], [2]]]],
    ["batch 2, two epochs, quadratic", quad, sgdSchedule(2, { batch: 2, epochs: 2 }), 4, [[[0, 1], [0, 1]]]],
    ["GD, quadratic", quad, gdSchedule(2, 3), 6, [[[0, 1], [0, 1], [0, 1]]]],
    ["custom, quadratic", quad, customSchedule(3, [[2], [0, 1], [1]]), 6, [[[2], [0, 1], [1]]]],
    // cubic loss, T = 2: θ_2 has degree 3, the loss degree 9
    ["vanilla SGD, cubic", cubic, sgdSchedule(2), 9, [[[0], [1]]]],
    [
      "shuffled 2 epochs, quadratic",
      quad,
      sgdSchedule(2, { epochs: 2, shuffle: true }),
      8,
      permutations(2).flatMap((p) => permutations(2).map((q) => [[p[0]], [p[1]], [q[0]], [q[1]]])),
    ],
  ])("%s", (_name, l, schedule, order, orders) => {
    for (const loss of ["test", "train"] as const) {
      const c = perturbationSeriesExact(l, schedule, order, loss);
      expect(evalSeries(c, eta).toString()).toBe(directExpectedLoss(l, schedule.N, orders, eta, loss).toString());
    }
  });

  test("momentum and per-step rates, quadratic", () => {
    const beta = r(1, 2);
    const rates = [r(1), r(1, 2), r(3, 2)];
    const schedule = sgdSchedule(3, { momentum: beta, etaScale: rates });
    for (const loss of ["test", "train"] as const) {
      const c = perturbationSeriesExact(quad, schedule, 6, loss);
      expect(evalSeries(c, eta).toString()).toBe(directExpectedLoss(quad, 3, [[[0], [1], [2]]], eta, loss, beta, rates).toString());
    }
  });

  test("a truncated series is the prefix of the full one", () => {
    const full = perturbationSeriesExact(quad, sgdSchedule(3), 6, "train");
    expect(strs(perturbationSeriesExact(quad, sgdSchedule(3), 2, "train"))).toEqual(strs(full.slice(0, 3)));
  });
});

describe("perturbationSeries: schedules that must agree", () => {
  test("shuffling a single epoch changes nothing", () => {
    for (const [N, batch, order] of [[3, 1, 3], [2, 2, 3], [4, 2, 2]]) {
      for (const loss of ["test", "train"] as const) {
        const plain = perturbationSeriesExact(L, sgdSchedule(N, { batch }), order, loss);
        const shuffled = perturbationSeriesExact(L, sgdSchedule(N, { batch, shuffle: true }), order, loss);
        expect(strs(shuffled)).toEqual(strs(plain));
      }
    }
  });

  test("custom batches reproduce sgd and gd schedules", () => {
    expect(strs(perturbationSeriesExact(L, customSchedule(3, [[0], [1], [2]]), 3, "train"))).toEqual(
      strs(perturbationSeriesExact(L, sgdSchedule(3), 3, "train")),
    );
    expect(strs(perturbationSeriesExact(L, customSchedule(2, [[0, 1], [0, 1]]), 3, "test"))).toEqual(
      strs(perturbationSeriesExact(L, gdSchedule(2, 2), 3, "test")),
    );
  });

  test("the order in which i.i.d. points are visited does not matter within one pass", () => {
    expect(strs(perturbationSeriesExact(L, customSchedule(3, [[2], [0], [1]]), 3, "train"))).toEqual(
      strs(perturbationSeriesExact(L, sgdSchedule(3), 3, "train")),
    );
  });

  test("a reshuffled second epoch differs from a repeated order only from η⁴ on", () => {
    // Two epochs: through η³ only counts of single same-index pairs and of steps before,
    // between and after them enter, and those totals do not depend on the second epoch's
    // order; at η⁴ two tied pairs can cross (0,1,0,1) or nest (0,1,1,0).
    const fixed = perturbationSeriesExact(L, sgdSchedule(2, { epochs: 2 }), 4, "test");
    const shuffled = perturbationSeriesExact(L, sgdSchedule(2, { epochs: 2, shuffle: true }), 4, "test");
    expect(strs(shuffled.slice(0, 4))).toEqual(strs(fixed.slice(0, 4)));
    expect(shuffled[4].equals(fixed[4])).toBe(false);
    const nested = perturbationSeriesExact(L, customSchedule(2, [[0], [1], [1], [0]]), 4, "test");
    // shuffled = average of the two equally likely orders
    expect(shuffled[4].toString()).toBe(fixed[4].add(nested[4]).div(r(2)).toString());
  });

  test("test loss ignores indices no batch uses; train loss averages over them", () => {
    const s = closedFormScalars(populationMoments(L));
    // one step on index 0 of N = 2: train c1 = −(1/2)(tr M2 + G·G)
    const c = perturbationSeriesExact(L, customSchedule(2, [[0]]), 1, "train");
    expect(c[1].toString()).toBe(s.trM2.add(s.GG).div(r(2)).neg().toString());
    expect(perturbationSeriesExact(L, customSchedule(2, [[0]]), 1, "test")[1].toString()).toBe(s.GG.neg().toString());
  });
});

describe("perturbationSeries: float64 and exact agree", () => {
  test.each<[string, Schedule]>([
    ["vanilla", sgdSchedule(3)],
    ["shuffled epochs", sgdSchedule(2, { epochs: 2, shuffle: true })],
    ["gd with momentum", gdSchedule(2, 3, { momentum: r(9, 10) })],
  ])("%s", (_name, schedule) => {
    for (const loss of ["test", "train"] as const) {
      const exact = perturbationSeriesExact(L, schedule, 4, loss).map((x) => x.toNumber());
      expect(perturbationSeriesFloat(L, schedule, 4, loss)).toBeAllclose(exact, { rtol: 1e-12, atol: 1e-12 });
      expect(perturbationSeries(L, schedule, 4, loss, float64Field)).toBeAllclose(exact, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  test("the overload without a field is exact", () => {
    expect(strs(perturbationSeries(L, sgdSchedule(2), 2, "test"))).toEqual(strs(perturbationSeriesExact(L, sgdSchedule(2), 2, "test")));
  });
});

describe("perturbationSeries: budget, validation, speed", () => {
  test("dim 2, M = 3, N = 3, order 3 runs exactly in well under a second", () => {
    const l = randomPolynomialLandscape({ dim: 2, populationSize: 3, maxDegree: 3, seed: 1 });
    const start = performance.now();
    perturbationSeriesExact(l, sgdSchedule(3), 3, "test");
    perturbationSeriesExact(l, sgdSchedule(3), 3, "train");
    expect(performance.now() - start).toBeLessThan(1000);
  });

  test("refuses more runs than the budget allows, naming the count", () => {
    expect(() => perturbationSeriesFloat(L, sgdSchedule(12), 1, "test")).toThrow(BudgetExceededError);
    expect(() => perturbationSeriesFloat(L, sgdSchedule(12), 1, "test")).toThrow(
      "perturbationSeries: averaging over 3^12 training sets = 531441 runs exceeds maxRuns = 200000",
    );
    expect(() => perturbationSeriesFloat(L, sgdSchedule(5, { epochs: 2, shuffle: true }), 1, "test")).toThrow(
      "perturbationSeries: averaging over 3^5 training sets × (5!)^2 epoch orders = 3499200 runs exceeds maxRuns = 200000",
    );
    expect(() => perturbationSeriesFloat(L, sgdSchedule(3), 1, "test", { maxRuns: 26 })).toThrow(BudgetExceededError);
    expect(perturbationSeriesFloat(L, sgdSchedule(3), 1, "test", { maxRuns: 27 })).toHaveLength(2);
  });

  test("rejects bad arguments with the standard message", () => {
    expect(() => perturbationSeriesExact(L, sgdSchedule(2), -1, "test")).toThrow("perturbationSeries: order must be an integer in [0, 32], got -1");
    expect(() => perturbationSeriesExact(L, sgdSchedule(2), 1, "val" as "test")).toThrow(InvalidArgumentError);
    expect(() => perturbationSeriesExact(L, { kind: "sgd", N: 3, batch: 2, epochs: 1, shuffle: false }, 1, "test")).toThrow(
      "perturbationSeries: schedule.batch must be a divisor of N = 3, got 2",
    );
    expect(() => perturbationSeriesExact(L, { kind: "gd", N: 2, T: 2, etaScale: [r(1)] }, 1, "test")).toThrow(
      "perturbationSeries: schedule.etaScale must be a list of T = 2 rates, got 1",
    );
    const bad: PolynomialLandscape = { dim: 2, theta0: [r(0)], population: [[]] };
    expect(() => perturbationSeriesExact(bad, sgdSchedule(1), 1, "test")).toThrow(InvalidArgumentError);
  });

  test("order 0 is the expected initial loss; T = 0 leaves the weights at θ0", () => {
    const m = populationMoments(L);
    expect(strs(perturbationSeriesExact(L, sgdSchedule(2), 0, "test"))).toEqual([m.l.toString()]);
    expect(strs(perturbationSeriesExact(L, gdSchedule(2, 0), 2, "train"))).toEqual([m.l.toString(), "0", "0"]);
  });
});
