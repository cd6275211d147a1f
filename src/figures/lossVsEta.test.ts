import { describe, expect, test } from "vitest";
import type { PlotRow } from "../plot/plotSpecs.js";
import { LOSS_VS_ETA_SIZES, lossVsEtaVerdict } from "./lossVsEta.js";

const S = LOSS_VS_ETA_SIZES.quick;
/** Rows of one model where the order-3 prediction is inside the interval at the η in `inside`. */
const rowsOf = (model: string, inside: (eta: number) => boolean): PlotRow[] =>
  S.etas.map((eta) => ({ model, eta, etaT: eta * S.N, measured: 1, order1: 1.1, order3: 1, order1_within: false, order3_within: inside(eta) }));

describe("loss-vs-η figures: verdict without training", () => {
  test("a model's curve agrees when most of its ηT ≤ 1 points are inside; misses are named", () => {
    const good = lossVsEtaVerdict([...rowsOf("a", () => true), ...rowsOf("b", () => true)], [{ label: "a" }, { label: "b" }], S, true, 3, []);
    expect(good.curveMiss).toEqual([]);
    // order 3 (= measured) closer than order 1 (off by 0.1): every check holds.
    expect(good.status).toBe("REPRODUCED");
    expect(good.verdict).toMatch(/2\/2 curves agree through ηT ≤ 1/);
    const bad = lossVsEtaVerdict([...rowsOf("a", () => true), ...rowsOf("b", () => false)], [{ label: "a" }, { label: "b" }], S, false, 3, ["x"]);
    expect(bad.curveMiss.map((c) => c.label)).toEqual(["b"]);
    // One missed curve of two is within the allowance of one chance miss.
    expect(bad.status).toBe("REPRODUCED");
    const worse = lossVsEtaVerdict([...rowsOf("a", () => false), ...rowsOf("b", () => false)], [{ label: "a" }, { label: "b" }], S, true, 3, []);
    expect(worse.status).toBe("NOT REPRODUCED");
    expect(bad.verdict).toMatch(/missed: b 0\//);
    expect(bad.verdict).toMatch(/skipped: x$/);
  });
});
