import { describe, expect, test } from "vitest";
import type { PairedRuns } from "../harness/pairedRuns.js";
import { Rng } from "../stats/rng.js";
import { betaScan, type ComboRuns, differenceRows, GDC_SIZES, gdcVerdict, type Layout } from "./gdc.js";

/**
 * Synthetic paired runs (no training): per run a shared noise `z`, SGD = 1 + z, GD = SGD + gap·η,
 * GDC = SGD + gdcShift·gap·η + small independent noise.
 */
function combo(label: string, gdcShift: number, runs = 40, layout: Layout = { sgd: 0, gd: 1, gdc: 2, gdcCov: 3, scan: new Map([[0, 1], [1, 2]]) }, gdcNoise = 1e-4): ComboRuns {
  const etas = [0.01, 0.05, 0.1];
  const rng = new Rng(label.length * 7 + runs);
  const optimizers = 1 + Math.max(layout.gdcCov, ...layout.scan.values());
  const results = Array.from({ length: runs }, () => {
    const z = rng.normal() * 0.1;
    return Array.from({ length: optimizers }, (_, o) =>
      etas.map((eta) => {
        const shift = o === layout.sgd ? 0 : o === layout.gd ? 1 : gdcShift;
        return { eta, test: 1 + z + shift * 10 * eta + (o === layout.sgd || o === layout.gd ? 0 : gdcNoise * rng.normal()), train: 0 };
      }),
    );
  });
  const zeros = results.map(() => 0);
  const runsOf: PairedRuns = { results, etas, initTrainOffset: zeros, testSlope: zeros, trainSlope: () => zeros, weights: results[0].map(() => etas.map(() => 10)) };
  return { label, runs: runsOf, layout };
}

describe("gdc figure: rows, plots and verdict without training", () => {
  test("GDC equal to SGD passes (ratio ≈ 0); GDC equal to GD fails (ratio 1)", () => {
    const good = gdcVerdict([combo("a", 0), combo("bb", 0)], 50, 1);
    expect(good.pass).toBe(true);
    expect(good.status).toBe("REPRODUCED");
    expect(good.rows[0].ratio as number).toBeLessThan(0.01);
    expect(good.verdict).toMatch(/target ≤ 0\.3/);
    const bad = gdcVerdict([combo("a", 1), combo("bb", 1)], 50, 1);
    expect(bad.pass).toBe(false);
    expect(bad.status).toBe("NOT REPRODUCED");
    expect(bad.rows[0].ratio as number).toBeCloseTo(1, 2);
    expect(bad.perModel).toHaveLength(2);
  });

  test("a run too noisy to decide (noise floor ≥ 0.3) does not pass, whatever its ratio, and says so", () => {
    const layout: Layout = { sgd: 0, gd: 1, gdc: 2, gdcCov: 3, scan: new Map([[0, 1], [1, 2]]) };
    const noisy = gdcVerdict([combo("a", 0, 40, layout, 3), combo("bb", 0, 40, layout, 3)], 50, 1);
    expect(noisy.rows[0].noise_floor as number).toBeGreaterThanOrEqual(0.3);
    expect(noisy.pass).toBe(false);
    // Noise alone gives Ĉ ≈ 0.5 here: the main check fails and the floor (a secondary check) says why.
    expect(noisy.rows[0].ratio as number).toBeGreaterThan(0.3);
    expect(noisy.status).toBe("NOT REPRODUCED");
    expect(noisy.headline).toMatch(/✗ noise floors below 0\.3/);
    expect(noisy.verdict).toMatch(/^unresolved at these sizes \(noise floor split-half/);
  });

  test("a ratio under the target whose bootstrap interval reaches above it is PARTIAL, never REPRODUCED", () => {
    const v = gdcVerdict([combo("a", 0.1, 40, undefined, 0.9), combo("bb", 0.1, 40, undefined, 0.9)], 200, 1);
    const split = v.rows[0];
    expect(split.ratio as number).toBeLessThanOrEqual(0.3);
    expect(split.ratio_hi as number).toBeGreaterThan(0.3);
    expect(v.status).toBe("PARTIAL");
    expect(v.pass).toBe(false);
    expect(v.headline).toMatch(/✓ Ĉ = .*✗ 95% bootstrap intervals below 0\.3/);
  });

  test("difference rows: one per (model, η) with the paired means; one panel per model; two scatter points each", () => {
    const cs = [combo("a", 0.5), combo("bb", 0)];
    const d = differenceRows(cs, GDC_SIZES.quick.T);
    expect(d.rows).toHaveLength(6);
    expect(d.panels).toHaveLength(2);
    expect(d.scatter).toHaveLength(12);
    // GD − SGD = 10η exactly (same noise z in both), GDC − SGD ≈ 5η for the first model.
    expect(d.rows[2].gd_minus_sgd as number).toBeCloseTo(1, 12);
    expect(d.rows[2].gdc_minus_sgd as number).toBeCloseTo(0.5, 3);
    expect(d.rows[2].etaT).toBeCloseTo(0.1 * GDC_SIZES.quick.T, 12);
  });

  test("β scan: rows per (β, η), the note at the largest η", () => {
    const layout: Layout = { sgd: 0, gd: 1, gdc: 2, gdcCov: 3, scan: new Map([[0, 1], [1, 2]]) };
    const s = betaScan(combo("a", 0, 20, layout), 10);
    expect(s.rows).toHaveLength(6);
    expect(s.rows.filter((r) => r.beta_scale === 0).map((r) => r.gdc_minus_sgd as number)[2]).toBeCloseTo(1, 12);
    expect(s.note).toMatch(/^β scan at η = 0\.1 \(GDC−SGD\): β×0: .*, β×1: /);
    expect(s.pred).toHaveLength(0);
  });
});
