import { describe, expect, test } from "vitest";
import { curveRow, longCurvesVerdict } from "./longCurves.js";

const m = { mean: 1, ci95: 0.01, stderr: 0.005, runs: 100, diverged: 0 };
/** Predictions where the ODE fits miss by `ode` and the polynomials by `poly` (the poly-3 one possibly blown up). */
const preds = (ode: number, poly: number, blown = false) => ({
  "polynomial 1": { value: 1 + poly, stderr: 0, n: 1 },
  "polynomial 2": { value: 1 + poly, stderr: 0, n: 1 },
  "polynomial 3": { value: blown ? Infinity : 1 + poly, stderr: 0, n: 1 },
  "ODE 1": { value: 1 + ode, stderr: 0, n: 0 },
  "ODE 2": { value: 1 + ode, stderr: 0, n: 0 },
  "ODE 3": { value: 1 + ode, stderr: 0, n: 0 },
  "resummed 3": { value: 1, stderr: 0, n: 0 },
});

describe("long-curves figure: rows and verdict without training", () => {
  test("passes when the ODE fits beat the polynomials of the same degree beyond ηT = 1; small ηT does not count", () => {
    const rows = [curveRow("m", 10, 0.2, 2, m, preds(0.001, 0.5)).row, curveRow("m", 10, 0.05, 0.5, m, preds(9, 0)).row];
    const v = longCurvesVerdict(rows, [], []);
    expect(v.pass).toBe(true);
    expect(v.score.get("ODE 2")).toMatchObject({ within: 1, n: 1 });
    expect(v.paired.get(3)!.n).toBe(1);
    expect(longCurvesVerdict([curveRow("m", 10, 0.2, 2, m, preds(0.5, 0.001)).row], [], []).pass).toBe(false);
  });
  test("a blown-up polynomial is stored as null, counted apart and left out of the ODE-vs-polynomial comparison", () => {
    const r = curveRow("m", 10, 0.2, 2, m, preds(0.001, 0.5, true));
    expect(r.row.polynomial_3).toBeNull();
    expect(r.row.polynomial_3_within).toBe(false);
    expect(r.lines.some((l) => l.series === "polynomial 3")).toBe(false);
    const v = longCurvesVerdict([r.row], [], []);
    expect(v.score.get("polynomial 3")!.blownUp).toBe(1);
    expect(v.paired.get(3)!.n).toBe(0);
    expect(v.verdict).toMatch(/1 blown up before ηT/);
  });
});
