import { describe, expect, test } from "vitest";
import { type Candidate, MODEL_SELECTION_SIZES, modelSelectionVerdict, rankingRows } from "./modelSelection.js";

const S = MODEL_SELECTION_SIZES.quick;
/** Candidate k: actual loss k at every η; the ODE prediction ranks them `order`, the loss at init in reverse. */
const candidates = (n: number, predict: (k: number) => number): Candidate[] =>
  Array.from({ length: n }, (_, k) => ({ label: `m${k}`, dim: 10, init: -k, predOde: S.etas.map(() => predict(k)), odeDegree: S.etas.map(() => 3), predPoly: S.etas.map(() => predict(k)), actual: S.etas.map(() => ({ mean: k, ci95: 0.1 })) }));

describe("model-selection figure: ranks and verdict without training", () => {
  test("a prediction that ranks like the training passes (τ = 1 beats the baselines); a reversed one fails", () => {
    const good = rankingRows(candidates(8, (k) => k), S.etas, 10);
    expect(good.taus["predicted (order 3 + ODE fit)"].every((t) => t === 1)).toBe(true);
    expect(good.taus["loss at init"].every((t) => t === -1)).toBe(true);
    expect(modelSelectionVerdict(8, good.taus, S, []).pass).toBe(true);
    const bad = rankingRows(candidates(8, (k) => -k), S.etas, 10);
    expect(modelSelectionVerdict(8, bad.taus, S, []).pass).toBe(false);
    expect(good.scatter).toHaveLength(8 * S.etas.length);
  });
  test("fewer than 8 candidates never pass", () => {
    const few = rankingRows(candidates(5, (k) => k), S.etas, 10);
    expect(modelSelectionVerdict(5, few.taus, S, []).pass).toBe(false);
  });
});
