import { describe, expect, test } from "vitest";
import { tempDir, writeText } from "../../test/helpers/dataFiles.js";
import { Rng } from "../stats/rng.js";
import { readDataset, readTestDataset } from "./read.js";
import { applyStandardization, fitStandardization } from "./standardize.js";

/** Column j of a row-major matrix. */
const column = (m: ArrayLike<number>, features: number, j: number) => Array.from({ length: m.length / features }, (_, r) => m[r * features + j]);
/** Mean and population variance, the textbook two-pass way. */
function meanVar(xs: number[]): [number, number] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [mean, xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length];
}

describe("standardization", () => {
  const rng = new Rng(11);
  const features = 4;
  const rows = 200;
  // Columns on very different scales, and a constant column (index 2) whose computed mean would not be exact.
  const raw = Float64Array.from({ length: rows * features }, (_, i) => {
    const j = i % features;
    return j === 2 ? 0.1 : j === 3 ? 1e6 + 1e3 * rng.normal() : (j + 1) * rng.normal() + 5 * j;
  });

  test("mean and scale match a two-pass mean and population standard deviation; the result has mean 0 and variance 1", () => {
    const st = fitStandardization(raw, features);
    const x = raw.slice();
    applyStandardization(x, st);
    for (const j of [0, 1, 3]) {
      const [m, v] = meanVar(column(raw, features, j));
      expect(st.mean[j]).toBeAllclose(m, { rtol: 1e-13 });
      expect(st.scale[j]).toBeAllclose(Math.sqrt(v), { rtol: 1e-12 });
      const [m2, v2] = meanVar(column(x, features, j));
      expect(Math.abs(m2)).toBeLessThan(1e-12);
      expect(v2).toBeAllclose(1, { rtol: 1e-12 });
    }
  });

  test("a constant feature is centred to exactly 0 and not scaled (never divided by 0)", () => {
    const st = fitStandardization(raw, features);
    expect([st.mean[2], st.scale[2]]).toEqual([0.1, 1]);
    const x = raw.slice();
    applyStandardization(x, st);
    expect(column(x, features, 2).every((v) => v === 0)).toBe(true);
  });

  test("--standardize on a CSV; its test set goes through the population's mean and scale, not its own", async () => {
    const dir = tempDir("std-");
    const header = "a,b,c,d,y\n";
    const csv = (m: Float64Array) => header + Array.from({ length: m.length / features }, (_, r) => `${Array.from(m.subarray(r * features, (r + 1) * features)).join(",")},${r % 2}`).join("\n");
    const population = await readDataset({ data: writeText(dir, "pop.csv", csv(raw)), standardize: true });
    const testRaw = Float64Array.from({ length: 10 * features }, () => 3 * rng.normal() + 7);
    const testSet = await readTestDataset({ data: writeText(dir, "test.csv", csv(testRaw)) }, population);
    for (let j = 0; j < features; j++) {
      const [m, v] = j === 2 ? [0.1, 1] : meanVar(column(raw, features, j)).map((u, k) => (k === 1 ? Math.sqrt(u) : u));
      expect(column(testSet.inputs, features, j)).toBeAllclose(column(testRaw, features, j).map((t) => (t - m) / v), { rtol: 1e-10, atol: 1e-12 });
    }
    expect(testSet.standardization).toBe(population.standardization);
  });
});
