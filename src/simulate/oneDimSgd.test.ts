import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { estimateMean } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";
import { bridgeIncrements, eulerMaruyamaStep, sgdOneDim } from "./oneDimSgd.js";

describe("one-dimensional SGD and its SDE", () => {
  test("SGD on ½θ² + xθ: mean and variance of θ_T match the closed form (5σ)", () => {
    const eta = 0.1;
    const T = 20;
    const [w] = sgdOneDim((th, x) => th + x, 1, [eta], T, 20_000, new Rng(SEED));
    const mean = estimateMean(w);
    expect(Math.abs(mean.value - 0.9 ** T), `seed ${SEED}`).toBeLessThan(5 * mean.stderr);
    const sq = estimateMean(Array.from(w, (x) => x * x));
    const exact = 0.81 ** T + (eta * eta * (1 - 0.81 ** T)) / (1 - 0.81);
    expect(Math.abs(sq.value - exact), `seed ${SEED}`).toBeLessThan(5 * sq.stderr);
  });
  test("common random numbers: the same data for every learning rate", () => {
    const [a, b] = sgdOneDim((th, x) => x, 0, [0.1, 0.2], 3, 5, new Rng(SEED));
    for (let r = 0; r < 5; r++) expect(b[r]).toBeCloseTo(2 * a[r], 14);
    expect(() => sgdOneDim((th) => th, 0, [], 1, 1, new Rng(1))).toThrow(/etas/);
  });
  test("bridge increments: fine path sums to √α·Z, the coarse path is its pair sums", () => {
    const fine = new Float64Array(8);
    const coarse = new Float64Array(4);
    bridgeIncrements(1.7, new Rng(SEED), fine, coarse);
    expect(fine.reduce((s, x) => s + x, 0)).toBeCloseTo(Math.sqrt(8) * 1.7, 12);
    expect(coarse.reduce((s, x) => s + x, 0)).toBeCloseTo(Math.sqrt(4) * 1.7, 12);
    expect(() => bridgeIncrements(0, new Rng(1), new Float64Array(3), new Float64Array(1))).toThrow(/even/);
  });
  test("Euler–Maruyama with one sub-step is an SGD step with Gaussian noise; the noise scales with √α", () => {
    const sde = { drift: (th: number) => 2 * th, noiseScale: () => 3 };
    expect(eulerMaruyamaStep(sde, 1, 0.1, [0.5])).toBeCloseTo(1 - 0.1 * 2 - 0.1 * 3 * 0.5, 14);
    // Constant drift and noise: α sub-steps add up to the same step for the same path sum.
    const flat = { drift: () => 1, noiseScale: () => 2 };
    const z = [0.3, -0.1, 0.4, 0.2];
    const sum = z.reduce((s, x) => s + x, 0);
    expect(eulerMaruyamaStep(flat, 0, 0.2, z)).toBeCloseTo(-0.2 - 0.2 * 2 * (sum / 2), 14);
  });
});
