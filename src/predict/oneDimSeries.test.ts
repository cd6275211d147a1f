import { beforeAll, describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { cubicChi, gaussFit, meanEstimation } from "../landscapes/builtin.js";
import { initNumerics, LossOracle } from "../numerics/index.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { closedFormMoments, closedFormSeries } from "./continuousTime.js";
import { cubicChiModel, gaussFitModel, oneDimMoments, quadraticModel } from "./oneDimModels.js";
import { estimateRadius, evaluatePolynomial, normalExpectation, normalMoment, oneDimSeries } from "./oneDimSeries.js";

const r = (n: number, d = 1) => Rational.of(n, d);

describe("exact one-dimensional series", () => {
  test("moments of the standard normal", () => {
    expect([0, 1, 2, 3, 4, 6, 8].map((m) => normalMoment(m).toString())).toEqual(["1", "0", "1", "0", "3", "15", "105"]);
    expect(normalExpectation([r(1), r(0), r(-1)]).toString()).toBe("0");
    expect(() => normalMoment(-1)).toThrow(/non-negative/);
  });
  test("cubic-chi: c3 = 8T, even orders vanish, c5 = −4464 at T = 4", () => {
    const s = oneDimSeries(cubicChiModel(), sgdSchedule(4), 5);
    expect(s.coefficients.map(String)).toEqual(["0", "0", "0", "32", "0", "-4464"]);
    const m = oneDimMoments(cubicChiModel());
    expect([m.G, m.H, m.J, m.C, m.S].map(String)).toEqual(["0", "0", "6", "2", "-8"]);
  });
  test("gauss-fit, T = 1: the series is the Taylor expansion of (e^{η/2}/√(1+η) − 1)/2", () => {
    const s = oneDimSeries(gaussFitModel(), sgdSchedule(1), 6);
    expect(s.coefficients.map(String)).toEqual(["0", "0", "1/8", "-1/12", "5/64", "-17/240", "151/2304"]);
    const m = oneDimMoments(gaussFitModel());
    expect([m.G, m.H, m.J, m.C, m.S].map(String)).toEqual(["0", "1/2", "-1/2", "1/2", "-1"]);
  });
  test("the engine's series equals theory §4's closed form through order 3 (three landscapes, several T)", () => {
    for (const model of [cubicChiModel(), gaussFitModel(), quadraticModel(r(1, 2), r(2), r(3))]) {
      for (const T of [1, 2, 5]) {
        const engine = oneDimSeries(model, sgdSchedule(T), 3).coefficients.map(String);
        expect(engine, `${model.name} T=${T}`).toEqual(closedFormSeries(closedFormMoments(model), T, "sgd").map(String));
      }
    }
  });
  test("SDE and ODE closed forms on the Gaussian fit: η²T/8 − η³T²/16 and 0", () => {
    const m = closedFormMoments(gaussFitModel());
    expect(closedFormSeries(m, 3, "sde").map(String)).toEqual(["0", "0", "3/8", "-9/16"]);
    expect(closedFormSeries(m, 3, "ode").map(String)).toEqual(["0", "0", "0", "0"]);
    const sgd = closedFormSeries(m, 1, "sgd")[3];
    const sde = closedFormSeries(m, 1, "sde")[3];
    expect(sgd.sub(sde).toString()).toBe("-1/48");
  });
  test("radius estimates: a geometric series and an odd series", () => {
    const geo = Array.from({ length: 10 }, (_, d) => 2 ** d);
    const est = estimateRadius(geo);
    expect(est.ratio).toBeCloseTo(0.5, 12);
    expect(est.fit).toBeCloseTo(0.5, 12);
    const odd = Array.from({ length: 10 }, (_, d) => (d % 2 === 1 ? (-1) ** ((d - 1) / 2) * 100 ** d : 0));
    expect(estimateRadius(odd).ratio).toBeCloseTo(0.01, 12);
    expect(() => estimateRadius([1, 0, 0])).toThrow(/two non-zero/);
    expect(evaluatePolynomial([1, 2, 3], 2)).toBe(17);
    expect(evaluatePolynomial([1, 2, 3], 2, 1)).toBe(5);
  });
});

describe("hand-coded landscapes match the built-in jax-js ones", () => {
  beforeAll(async () => {
    await initNumerics();
  });
  test("derivative polynomials (orders 1–3) at the quadrature nodes, float gradients and test losses", () => {
    const pairs = [
      [cubicChiModel(), cubicChi()],
      [gaussFitModel(), gaussFit()],
      [quadraticModel(r(1, 2), r(2), r(3)), meanEstimation({ H: 0.5, S: 2, theta0: 3 })],
    ] as const;
    for (const [model, L] of pairs) {
      const oracle = new LossOracle(L.loss, 1, 1);
      const q = L.quadrature!;
      for (const i of [0, 5, 8, 15]) {
        const x = q.data.values[i];
        for (let j = 1; j <= 3; j++) {
          const p = model.node(j);
          const want = oracle.directionalGradient([model.theta0], [x], Array.from({ length: j - 1 }, () => [1]))[0];
          const got = p.reduce((s, c, m) => s + c.toNumber() * x ** m, 0);
          expect(got, `${model.name} ∂^${j} at x=${x}`).toBeAllclose(want, { rtol: 1e-10, atol: 1e-12 });
        }
        for (const theta of [-0.3, 0.2]) {
          expect(model.gradient(theta, x)).toBeAllclose(oracle.gradient([theta], [x])[0], { rtol: 1e-12, atol: 1e-12 });
          expect(model.loss(theta, x)).toBeAllclose(oracle.value([theta], [x]), { rtol: 1e-12, atol: 1e-12 });
          expect(model.testLoss(theta)).toBeAllclose(L.exactTestLoss!([theta]), { rtol: 1e-12, atol: 1e-15 });
        }
      }
    }
  });
});
