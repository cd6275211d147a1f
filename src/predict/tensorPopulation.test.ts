import { beforeAll, describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { coefficientTable } from "../diagrams/table.js";
import { helix, meanEstimation } from "../landscapes/builtin.js";
import { initNumerics } from "../numerics/index.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { measureTensors, populationMoments, tensorDiagramValue } from "./tensorPopulation.js";

describe("diagram values from measured per-datum tensors", () => {
  beforeAll(async () => {
    await initNumerics();
  });
  test("helix moments at θ = 0 (docs/theory.md#thermodynamic-engine) and the un-resummed drift η³T(T−1)/4", () => {
    const pop = measureTensors(helix());
    const m = populationMoments(pop);
    expect(Array.from(m.H)).toBeAllclose([2, 0, 0, 0, 1, 0, 0, 0, 0], { atol: 1e-12 });
    expect(Array.from(m.C)).toBeAllclose([0.5, -0.5, 0, -0.5, 0.5, 0, 0, 0, 0], { atol: 1e-12 });
    const J = Array.from(m.J);
    const uvz = [5, 7, 11, 15, 19, 21]; // (a·3 + b)·3 + c for the permutations of (u, v, z)
    J.forEach((x, i) => expect(x, `J[${i}]`).toBeCloseTo(uvz.includes(i) ? 1 : 0, 12));
    const T = 7;
    const c = [0, 0, 0, 0];
    for (const r of coefficientTable(sgdSchedule(T), 3, "test", { polynomial: false })) {
      c[r.order] += Rational.parse(r.coefficient).toNumber() * tensorDiagramValue(r, pop, (vs) => (vs.length === 1 ? vs[0][2] : 0));
    }
    expect(c).toBeAllclose([0, 0, 0, (T * (T - 1)) / 4], { atol: 1e-10 });
  });
  test("test-loss series of a quadratic: −ηT G² + η²(T(T−1)GHG + (T/2)M2 H)", () => {
    const L = meanEstimation({ H: 0.5, S: 2, theta0: 3 });
    const pop = measureTensors(L, L.theta0());
    const T = 4;
    const c = [0, 0, 0];
    const root = (vs: readonly Float64Array[]) => (vs.length === 1 ? 0.5 * 3 * vs[0][0] : vs.length === 2 ? 0.5 * vs[0][0] * vs[1][0] : 0);
    for (const r of coefficientTable(sgdSchedule(T), 2, "test", { polynomial: false })) {
      if (r.order > 0) c[r.order] += Rational.parse(r.coefficient).toNumber() * tensorDiagramValue(r, pop, root);
    }
    const G = 1.5;
    expect(c[1]).toBeCloseTo(-T * G * G, 10);
    expect(c[2]).toBeCloseTo(T * (T - 1) * G * 0.5 * G + (T / 2) * (G * G + 4) * 0.5, 10);
  });
});
