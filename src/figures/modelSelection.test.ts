import { describe, expect, test } from "vitest";
import { type Candidate, kendallTau, MODEL_SELECTION_SIZES, modelSelectionVerdict, rankingRows, tauIntervals } from "./modelSelection.js";

const S = MODEL_SELECTION_SIZES.quick;
/** Candidate k: actual loss k at every η; the ODE prediction ranks them `order`, the loss at init in reverse. */
const candidates = (n: number, predict: (k: number) => number): Candidate[] =>
  Array.from({ length: n }, (_, k) => ({ label: `m${k}`, dim: 10, init: -k, predOde: S.etas.map(() => predict(k)), odeDegree: S.etas.map(() => 3), predPoly: S.etas.map(() => predict(k)), actual: S.etas.map(() => ({ mean: k, ci95: 0.1 })), runs: S.etas.map(() => [k - 0.01, k + 0.01]) }));

describe("model-selection figure: ranks and verdict without training", () => {
  test("a prediction that ranks like the training passes (τ = 1 beats the baselines); a reversed one fails", () => {
    const good = rankingRows(candidates(8, (k) => k), S.etas, 10);
    expect(good.taus["predicted (order 3 + ODE fit)"].every((t) => t === 1)).toBe(true);
    expect(good.taus["loss at init"].every((t) => t === -1)).toBe(true);
    expect(modelSelectionVerdict(8, good.taus, S, []).pass).toBe(true);
    expect(modelSelectionVerdict(8, good.taus, S, []).status).toBe("REPRODUCED");
    const bad = rankingRows(candidates(8, (k) => -k), S.etas, 10);
    expect(modelSelectionVerdict(8, bad.taus, S, []).pass).toBe(false);
    expect(modelSelectionVerdict(8, bad.taus, S, []).status).toBe("NOT REPRODUCED");
    expect(good.scatter).toHaveLength(8 * S.etas.length);
  });
  test("fewer than 8 candidates never pass", () => {
    const few = rankingRows(candidates(5, (k) => k), S.etas, 10);
    expect(modelSelectionVerdict(5, few.taus, S, []).pass).toBe(false);
  });
  test("beating the baselines on average but not at one η is PARTIAL, and says at which η", () => {
    const taus = { "predicted (order 3 + ODE fit)": [1, 1, 0.2], "predicted (order-3 polynomial)": [1, 1, 1], "loss at init": [0, 0, 0], "parameter count": [0.1, 0.1, 0.7] };
    const v = modelSelectionVerdict(9, taus, S, []);
    expect(v.status).toBe("PARTIAL");
    expect(v.pass).toBe(false);
    expect(v.headline).toMatch(/✗ it beats both baselines at 2\/3 η \(not at η = 0\.3\)/);
  });
  test("τ bootstrap over runs: it brackets the τ of the mean; it is seeded; noisy runs widen it", () => {
    // Actual losses k + noise: run r of model k is k + s·(r − 2)/2 (5 runs); predictions rank by k.
    const noisy = (s: number): Candidate[] =>
      Array.from({ length: 8 }, (_, k) => ({ label: `m${k}`, dim: 10, init: 0, predOde: S.etas.map(() => k), odeDegree: S.etas.map(() => 3), predPoly: S.etas.map(() => k), actual: S.etas.map(() => ({ mean: k, ci95: 0 })), runs: S.etas.map(() => [0, 1, 2, 3, 4].map((r) => k + (s * (r - 2)) / 2 + (r === 4 ? s * (k % 3) : 0))) }));
    const quiet = tauIntervals(noisy(0), S.etas, 200, 7)["predicted (order 3 + ODE fit)"];
    expect(quiet.every((ci) => ci.lo === 1 && ci.hi === 1)).toBe(true);
    const wide = tauIntervals(noisy(4), S.etas, 200, 7)["predicted (order 3 + ODE fit)"];
    expect(wide[0].hi - wide[0].lo).toBeGreaterThan(0.1);
    expect(tauIntervals(noisy(4), S.etas, 200, 7)).toEqual(tauIntervals(noisy(4), S.etas, 200, 7));
    // Independent route: the τ of the runs' means lies inside the interval.
    const c = noisy(4);
    const means = c.map((m) => m.runs[0].reduce<number>((a, x) => a + (x ?? NaN), 0) / 5);
    const tau = kendallTau(c.map((m) => m.predOde[0]), means);
    expect(tau).toBeGreaterThanOrEqual(wide[0].lo);
    expect(tau).toBeLessThanOrEqual(wide[0].hi);
  });
});
