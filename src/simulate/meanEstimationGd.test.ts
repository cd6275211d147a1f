import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { Rng } from "../stats/rng.js";
import { meanEstimationGd, sticPenaltySlope } from "./meanEstimationGd.js";

describe("GD on the mean-estimation family", () => {
  test("θ_T = −(S x̄/H)(1 − (1 − ηH)^T) on each training set", () => {
    const o = { H: 0.5, S: 3, N: 4, eta: 0.1, T: 30, runs: 3 };
    const r = meanEstimationGd(o, new Rng(SEED));
    const rng = new Rng(SEED);
    for (let k = 0; k < 3; k++) {
      const xs = rng.normals(4);
      const mean = xs.reduce((s, x) => s + x, 0) / 4;
      const theta = -((o.S * mean) / o.H) * (1 - (1 - o.eta * o.H) ** o.T);
      expect(r.test[k]).toBeAllclose(0.5 * o.H * theta * theta, { rtol: 1e-10 });
      expect(r.train[k]).toBeAllclose(0.5 * o.H * theta * theta + o.S * mean * theta, { rtol: 1e-10, atol: 1e-14 });
      expect(r.lambda[k]).toBe(0);
    }
  });
  test("STIC descent learns a positive λ and shrinks θ", () => {
    const o = { H: 0.2, S: 10, N: 10, eta: 0.05, T: 100, runs: 50 };
    const plain = meanEstimationGd(o, new Rng(SEED));
    const reg = meanEstimationGd({ ...o, stic: true }, new Rng(SEED));
    const mean = (a: Float64Array) => a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean(reg.lambda)).toBeGreaterThan(0);
    expect(mean(reg.test)).toBeLessThan(mean(plain.test));
  });
  test("penalty slope: finite differences and the s → 0 limit", () => {
    const p = (s: number) => (100 * -Math.expm1(-s * 5)) / (10 * s);
    for (const s of [0.01, 0.3, 2]) expect(sticPenaltySlope(100, 10, s, 5)).toBeAllclose((p(s + 1e-6) - p(s - 1e-6)) / 2e-6, { rtol: 1e-6 });
    expect(sticPenaltySlope(100, 10, 0, 5)).toBeCloseTo(-125, 12);
    expect(() => meanEstimationGd({ H: 1, S: 1, N: 1, eta: 0.1, T: 1, runs: 1 }, new Rng(1))).toThrow(/N must be/);
  });
});
