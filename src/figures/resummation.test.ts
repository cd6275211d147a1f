import { describe, expect, test } from "vitest";
import { sumsOf } from "../stats/sums.js";
import { quadraticExactLoss, RESUMMATION_SIZES, resummationVerdict, sgdRows } from "./resummation.js";

const P = RESUMMATION_SIZES.quick;
const q = { G: 1, H: 1, C: 1, S: 1, l0: 0.5, theta0: 1, eta: P.eta };

describe("resummation figure: rows and verdict without simulating", () => {
  test("sgd rows count the horizons whose 95% interval holds the exact loss", () => {
    const around = (shift: number) => P.simulatedTs.map((T) => sumsOf([-1, 1, -0.5, 0.5].map((d) => quadraticExactLoss(1, 1, 1, P.eta, T) + shift + 0.01 * d)));
    const good = sgdRows(around(0), P, q);
    expect(good.inside).toBe(P.simulatedTs.length);
    expect(good.rows).toHaveLength(P.simulatedTs.length);
    expect(good.points[0]).toMatchObject({ series: "SGD (measured)", etaT: P.eta * P.simulatedTs[0] });
    expect(sgdRows(around(0.5), P, q).inside).toBe(0);
  });
  test("the verdict reports the errors and the simulated horizons, or the interruption", () => {
    const c = { rows: [], maxRelContinuous: 0.015, maxRelDiscrete: 2e-14, polyUpTo: 0.42 };
    expect(resummationVerdict(P, c, 3)).toMatch(/within 1\.5% .*ηT = 0\.42; SGD .* at 3\//);
    expect(resummationVerdict(P, c, null)).toMatch(/^interrupted/);
  });
});
