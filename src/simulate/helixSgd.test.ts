import { beforeAll, describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { helix } from "../landscapes/builtin.js";
import { initNumerics, LossOracle } from "../numerics/index.js";
import { Rng } from "../stats/rng.js";
import { helixGradient, helixTestLoss, simulateHelix } from "./helixSgd.js";

describe("helix in float64", () => {
  beforeAll(async () => {
    await initNumerics();
  });
  test("the hand-coded gradient equals the jax-js oracle of the built-in helix", () => {
    const rnd = seededRandom(SEED);
    for (const alpha of [0, 0.3]) {
      const L = helix({ alpha });
      const oracle = new LossOracle(L.loss, 3, 1);
      for (let k = 0; k < 4; k++) {
        const theta = [rnd() * 2 - 1, rnd() * 2 - 1, rnd() * 8 - 4];
        const x = rnd() * 4 - 2;
        const want = oracle.gradient(theta, [x]);
        expect(Array.from(helixGradient(theta, x, alpha)), `seed ${SEED}`).toBeAllclose(Array.from(want), { rtol: 1e-12, atol: 1e-12 });
        expect(helixTestLoss(theta[0], theta[1], theta[2], alpha)).toBeAllclose(L.exactTestLoss!(theta), { rtol: 1e-14 });
      }
    }
  });
  test("simulation: seeded, records the sums, and one step matches the gradient", () => {
    const a = simulateHelix({ eta: 0.1, T: 25, runs: 7, recordEvery: 10, trackRuns: 2 }, new Rng(SEED));
    const b = simulateHelix({ eta: 0.1, T: 25, runs: 7, recordEvery: 10, trackRuns: 2 }, new Rng(SEED));
    expect(a).toEqual(b);
    expect(a.times).toEqual([0, 10, 20, 25]);
    expect(a.tracks).toHaveLength(2);
    expect(a.z[0]).toEqual({ n: 7, mean: 0, m2: 0 });
    const rng = new Rng(SEED);
    const one = simulateHelix({ eta: 0.3, T: 1, runs: 1, recordEvery: 1, trackRuns: 1 }, rng.clone());
    const x = rng.normal();
    const g = helixGradient([0, 0, 0], x);
    expect(one.finalUV[0][0]).toBeCloseTo(-0.3 * g[0], 14);
    expect(one.finalUV[0][1]).toBeCloseTo(-0.3 * g[1], 14);
  });
  test("rejects bad sizes", () => {
    expect(() => simulateHelix({ eta: 0, T: 1, runs: 1, recordEvery: 1 }, new Rng(1))).toThrow(/eta/);
    expect(() => simulateHelix({ eta: 0.1, T: 1, runs: 0, recordEvery: 1 }, new Rng(1))).toThrow(/runs/);
  });
});
