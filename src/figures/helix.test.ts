import { describe, expect, test } from "vitest";
import { finalRows, HELIX_SIZES, type HelixFinal, helixVerdict } from "./helix.js";

const S = HELIX_SIZES.quick;
/** Final points where the resummed drift is within `err` (relative) of a measured z_T = 1 ± 0.01. */
const finals = (err: number, naive = 0.5): HelixFinal[] => S.etas.map((eta) => ({ eta, mean: 1, half: 0.01, stderr: 0.005, runs: S.runs, cont: 1 + err, disc: 1, naive }));
const circ = { revs: 2, half: 0.5, predicted: 2.1, predictedDiscrete: 2 };
const tilt = { z: 1, half: 0.1, predicted: 1.1, predictedDiscrete: 1, loss: 0.2, lossHalf: 0.05 };

describe("helix figure: rows and verdict without training", () => {
  test("passes when the resummed drift is within 10%, the alternatives outside, and the valleys circulate and climb", () => {
    const v = helixVerdict(S, finals(0.05), circ, tilt, false);
    expect(v.pass).toBe(true);
    expect(v.verdict).toMatch(/within 10% for η ≤ 0\.05: yes/);
    expect(v.verdict).toMatch(/revolutions counter-clockwise/);
  });
  test("fails on a 20% drift error, an un-resummed series inside the interval, no climb; null when interrupted", () => {
    expect(helixVerdict(S, finals(0.2), circ, tilt, false).pass).toBe(false);
    expect(helixVerdict(S, finals(0.05, 1.001), circ, tilt, false).pass).toBe(false);
    expect(helixVerdict(S, finals(0.05), circ, { ...tilt, loss: 0 }, false).pass).toBe(false);
    expect(helixVerdict(S, finals(0.05), null, null, true)).toMatchObject({ pass: null });
    expect(helixVerdict(S, finals(0.05), null, null, true).verdict).toMatch(/^interrupted/);
  });
  test("final rows carry the relative error of the resummed drift", () => {
    const rows = finalRows(finals(0.05), S.T);
    expect(rows).toHaveLength(S.etas.length);
    expect(rows[0].relative_error as number).toBeCloseTo(0.05, 12);
    expect(rows[0]).toMatchObject({ kind: "final", t: S.T, lo: 0.99, hi: 1.01 });
  });
});
