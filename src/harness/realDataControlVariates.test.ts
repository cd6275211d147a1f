/** The zero-mean control variates of the real-data experiments' measurements (`pairedRuns`, `measured`). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { Rational } from "../algebra/rational.js";
import { gdSchedule, sgdSchedule } from "../schedule/schedule.js";
import { sgdOptimizer } from "../simulate/optimizers.js";
import { Rng } from "../stats/rng.js";
import { Checkpoint } from "./checkpoint.js";
import type { ExperimentContext } from "./experiment.js";
import { gradientMoments, setVariates } from "./populationStats.js";
import { firstOrderWeight } from "./controlVariates.js";
import { loadModel } from "./model.js";
import { measured, pairedRuns } from "./pairedRuns.js";
import { meanInterval } from "../stats/estimate.js";

describe("firstOrderWeight", () => {
  test("closed forms: Σ_t r_t (1 − β^{T−t})/(1 − β)", () => {
    expect(firstOrderWeight(sgdSchedule(10))).toBe(10);
    expect(firstOrderWeight(gdSchedule(10, 7))).toBe(7);
    const E = 3;
    const scaled = sgdSchedule(4, { epochs: E, etaScale: new Array(12).fill(Rational.of(1, E)) });
    expect(firstOrderWeight(scaled)).toBeCloseTo(4, 12);
    const beta = 0.5;
    const T = 6;
    const closed = Array.from({ length: T }, (_, t) => (1 - beta ** (T - t)) / (1 - beta)).reduce((a, b) => a + b, 0);
    expect(firstOrderWeight(sgdSchedule(T, { momentum: Rational.of(1, 2) }))).toBeCloseTo(closed, 12);
  });
});

describe("slope variates on MNIST logistic (random init)", () => {
  const model = loadModel({ data: "mnist", model: "logistic", initSeed: 1 }, 200, SEED % 1000)!;
  const rng = new Rng(SEED);
  const N = 10;
  const sets = Array.from({ length: 3000 }, () => Array.from({ length: N }, () => rng.int(model.populationSize)));

  test("mean 0 over i.i.d. training sets; a biased moment (E|ḡ|² without its 1/N term) is caught", () => {
    const ts = meanInterval(Array.from(setVariates(model, sets, "test slope")));
    const tr = Array.from(setVariates(model, sets, "train slope"));
    const m = meanInterval(tr);
    expect(Math.abs(ts.mean)).toBeLessThan(5 * ts.stderr);
    expect(Math.abs(m.mean)).toBeLessThan(5 * m.stderr);
    const [G2, Eg2] = gradientMoments(model);
    const biased = meanInterval(tr.map((x) => x + (Eg2 - G2) / N));
    expect(Math.abs(biased.mean)).toBeGreaterThan(5 * biased.stderr);
  });

  test("measured means keep their expectation and tighten (test and gap)", async () => {
    const ctx: ExperimentContext = { outDir: mkdtempSync(join(tmpdir(), "cv-")), quick: true, seed: SEED % 1000, progress() {}, shouldStop: () => false };
    const cp = Checkpoint.open(ctx.outDir, { test: "cv" });
    const etas = [0.005, 0.05];
    const p = (await pairedRuns(cp, ctx, "cv", model, N, [sgdOptimizer(sgdSchedule(N))], etas, 400, 200))!;
    etas.forEach((_, i) => {
      const done = p.results.map((r) => r[0][i]).filter((r) => r.diverged === undefined) as { test: number; train: number }[];
      expect(done).toHaveLength(p.results.length);
      const rawTest = meanInterval(done.map((r) => r.test));
      const rawGap = meanInterval(done.map((r) => r.test - r.train));
      const test = measured(p, 0, i, "test");
      const gap = measured(p, 0, i, "gap");
      // Same expectation: the difference is a zero-mean variate's mean, within its noise.
      expect(Math.abs(test.mean - rawTest.mean)).toBeLessThan(rawTest.ci95 * 1.5);
      expect(Math.abs(gap.mean - rawGap.mean)).toBeLessThan(rawGap.ci95 * 1.5);
      expect(test.ci95).toBeLessThan(rawTest.ci95 / 3);
      expect(gap.ci95).toBeLessThan(rawGap.ci95 / 3);
    });
  });
});
