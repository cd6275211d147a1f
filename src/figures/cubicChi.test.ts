import { describe, expect, test } from "vitest";
import { estimateRadius } from "../predict/oneDimSeries.js";
import { CUBIC_CHI_SIZES, cubicChiVerdict, type Measured } from "./cubicChi.js";

const S = CUBIC_CHI_SIZES.quick;
// A made-up odd series: c3 = 8T, c5 = −40 (so the truncations differ at large η).
const coeffs = [0, 0, 0, 8 * S.T, 0, -40, 0, 0];
const strings = coeffs.map(String);
const radius = estimateRadius(coeffs);
const series = (eta: number, d: number) => coeffs.slice(0, d + 1).reduce((s, c, k) => s + c * eta ** k, 0);
/** Measurements at every η equal to `truth(η)` with a relative half-width of 1%. */
const measure = (truth: (eta: number) => number): Measured[] =>
  [...S.etas, ...S.scan].map((eta) => {
    const v = truth(eta);
    return { eta, value: v, lo: v - 0.01 * Math.abs(v), hi: v + 0.01 * Math.abs(v), stderr: 0.005 * Math.abs(v) };
  });

describe("cubic-chi figure: verdict without simulating", () => {
  test("passes when the loss follows the top-order series; reports how far the top order tracks", () => {
    const v = cubicChiVerdict(measure((eta) => series(eta, 5)), coeffs, strings, S, [3, 5], radius);
    expect(v.pass).toBe(true);
    expect(v.tracksUpTo).toBe(0.2);
    expect(v.verdict).toMatch(/Gaussian approximation \(0\) outside every interval: yes/);
  });
  test("fails when the loss is the Gaussian 0 plus noise-level values, or when the top order misses", () => {
    expect(cubicChiVerdict(measure(() => 1e-9), coeffs, strings, S, [3, 5], radius).pass).toBe(false);
    const off = cubicChiVerdict(measure((eta) => series(eta, 5) * (eta >= 0.05 ? 1.5 : 1)), coeffs, strings, S, [3, 5], radius);
    expect(off.pass).toBe(false);
    expect(off.tracksUpTo).toBe(0.02);
  });
});
