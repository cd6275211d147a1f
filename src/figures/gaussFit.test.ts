import { describe, expect, test } from "vitest";
import { closedFormMoments, closedFormSeries } from "../predict/continuousTime.js";
import { gaussFitModel } from "../predict/oneDimModels.js";
import { estimateRadius } from "../predict/oneDimSeries.js";
import { GAUSS_FIT_SIZES, gaussFitVerdict } from "./gaussFit.js";

const S = GAUSS_FIT_SIZES.quick;
const m = closedFormMoments(gaussFitModel());
const preds = { sgd: closedFormSeries(m, S.T, "sgd").map((c) => c.toNumber()), sde: closedFormSeries(m, S.T, "sde").map((c) => c.toNumber()), ode: closedFormSeries(m, S.T, "ode").map((c) => c.toNumber()) };
const predicted = preds.sgd[3] - preds.sde[3];
const coeffs = preds.sgd;
const radius = estimateRadius([...coeffs, 0, 0]);
/** SGD − SDE measured as `(predicted + shift)·η³` with a 2% standard error. */
const diffs = (shift: number) =>
  S.etas.map((eta) => {
    const value = (predicted + shift) * eta ** 3;
    const stderr = 0.02 * Math.abs(predicted) * eta ** 3;
    return { eta, value, stderr, half: 1.96 * stderr, raw: { value, half: 0 } };
  });

describe("gauss-fit figure: verdict without simulating", () => {
  test("passes when SGD − SDE = −T/48·η³ within its errors; fails on the wrong intercept or sign", () => {
    const ok = gaussFitVerdict(S, diffs(0), [], coeffs, coeffs.map(String), preds, radius);
    expect(predicted).toBeLessThan(0);
    expect(ok.pass).toBe(true);
    expect(ok.fit.a).toBeCloseTo(predicted, 9);
    expect(gaussFitVerdict(S, diffs(-0.5 * predicted), [], coeffs, coeffs.map(String), preds, radius).pass).toBe(false);
    expect(gaussFitVerdict(S, diffs(-2 * predicted), [], coeffs, coeffs.map(String), preds, radius).pass).toBe(false);
  });
});
