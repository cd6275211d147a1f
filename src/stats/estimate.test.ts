import { describe, expect, test } from "vitest";
import { InsufficientSamplesError, InvalidArgumentError } from "../errors.js";
import { SEED } from "../../test/helpers/seed.js";
import {
  confidenceInterval95,
  estimateMean,
  independentDifference,
  MeanAccumulator,
  pairedDifference,
  Z_95,
  zScore,
} from "./estimate.js";
import { Rng } from "./rng.js";

function twoPass(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe("MeanAccumulator", () => {
  test("the doc example: [1, 2, 3, 4]", () => {
    const est = new MeanAccumulator().pushAll([1, 2, 3, 4]).estimate();
    expect(est).toEqual({ value: 2.5, stderr: Math.sqrt(5 / 3 / 4), n: 4 });
  });

  test("agrees with the two-pass formulas", () => {
    const rng = new Rng(SEED);
    const xs = Array.from({ length: 1000 }, () => 3 + 2 * rng.normal());
    const acc = new MeanAccumulator().pushAll(xs);
    const ref = twoPass(xs);
    expect(acc.mean).toBeAllclose(ref.mean, { rtol: 1e-14 });
    expect(acc.variance()).toBeAllclose(ref.variance, { rtol: 1e-12 });
    expect(acc.estimate().stderr).toBeAllclose(Math.sqrt(ref.variance / 1000), { rtol: 1e-12 });
  });

  test("is stable for a large offset (no Σx² − n·mean² cancellation)", () => {
    const xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    expect(new MeanAccumulator().pushAll(xs).variance()).toBe(30);
  });

  test("accepts typed arrays and iterables", () => {
    const a = new MeanAccumulator().pushAll(new Float64Array([1, 2, 3]));
    const b = new MeanAccumulator().pushAll(new Set([1, 2, 3]).values());
    expect(a.estimate()).toEqual(b.estimate());
  });

  test("refuses fewer than 2 samples with InsufficientSamplesError", () => {
    const acc = new MeanAccumulator();
    expect(() => acc.estimate()).toThrow(InsufficientSamplesError);
    acc.push(1);
    expect(() => acc.estimate()).toThrow(InsufficientSamplesError);
    expect(() => acc.variance()).toThrow(/needs at least 2 samples, got 1/);
    try {
      acc.estimate();
    } catch (e) {
      expect(e).toMatchObject({ where: "MeanAccumulator.estimate", have: 1, need: 2 });
    }
    expect(acc.mean).toBe(1);
    expect(new MeanAccumulator().mean).toBeNaN();
  });

  test("merge equals pushing everything into one accumulator", () => {
    const rng = new Rng(SEED + 1);
    const xs = Array.from({ length: 301 }, () => rng.normal() * 5 - 1);
    const whole = new MeanAccumulator().pushAll(xs);
    const merged = new MeanAccumulator().pushAll(xs.slice(0, 100)).merge(new MeanAccumulator().pushAll(xs.slice(100)));
    expect(merged.count).toBe(301);
    expect(merged.estimate().value).toBeAllclose(whole.estimate().value, { rtol: 1e-13 });
    expect(merged.estimate().stderr).toBeAllclose(whole.estimate().stderr, { rtol: 1e-12 });
    const empty = new MeanAccumulator();
    expect(empty.merge(whole).estimate()).toEqual(whole.estimate());
    expect(whole.merge(new MeanAccumulator()).count).toBe(301);
  });

  test("NaN policy: a NaN sample poisons the estimate", () => {
    const est = new MeanAccumulator().pushAll([1, NaN, 3]).estimate();
    expect(est.value).toBeNaN();
    expect(est.stderr).toBeNaN();
    expect(est.n).toBe(3);
  });

  test("standard error shrinks like 1/√n", () => {
    const rng = new Rng(SEED + 2);
    const small = new MeanAccumulator();
    const large = new MeanAccumulator();
    for (let i = 0; i < 1000; i++) small.push(rng.normal());
    for (let i = 0; i < 16000; i++) large.push(rng.normal());
    const ratio = small.estimate().stderr / large.estimate().stderr;
    expect(ratio).toBeGreaterThan(3.6);
    expect(ratio).toBeLessThan(4.4);
  });
});

describe("estimateMean / confidenceInterval95 / zScore", () => {
  test("estimateMean equals the accumulator and refuses < 2 samples", () => {
    expect(estimateMean([1, 2, 3, 4])).toEqual(new MeanAccumulator().pushAll([1, 2, 3, 4]).estimate());
    expect(() => estimateMean([1])).toThrow(InsufficientSamplesError);
  });

  test("95% interval is value ∓ 1.96 stderr", () => {
    expect(Z_95).toBeAllclose(1.959963984540054, { rtol: 1e-15 });
    const [lo, hi] = confidenceInterval95({ value: 10, stderr: 2, n: 50 });
    expect(lo).toBeAllclose(10 - 2 * Z_95);
    expect(hi).toBeAllclose(10 + 2 * Z_95);
    expect(confidenceInterval95({ value: 1, stderr: 0, n: Infinity })).toEqual([1, 1]);
  });

  test("the 95% interval covers the true mean about 95% of the time", () => {
    const rng = new Rng(SEED + 3);
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const acc = new MeanAccumulator();
      for (let i = 0; i < 50; i++) acc.push(rng.normal());
      const [lo, hi] = confidenceInterval95(acc.estimate());
      if (lo <= 0 && 0 <= hi) covered++;
    }
    // t-vs-normal at n = 50 gives ≈ 94.4% coverage; binomial sd ≈ 0.5%.
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.97);
  });

  test("zScore", () => {
    expect(zScore({ value: 3, stderr: 0.5, n: 10 }, 2)).toBe(2);
    expect(zScore({ value: 2, stderr: 0, n: Infinity }, 2)).toBe(0);
    expect(zScore({ value: 2, stderr: 0, n: Infinity }, 1)).toBe(Infinity);
  });
});

describe("pairedDifference", () => {
  test("is the estimate of the mean of a − b", () => {
    const a = [5, 7, 9, 11];
    const b = [1, 2, 4, 5];
    expect(pairedDifference(a, b)).toEqual(estimateMean([4, 5, 5, 6]));
  });

  test("cancels common noise that independentDifference cannot", () => {
    const rng = new Rng(SEED + 4);
    const n = 4000;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const shared = 10 * rng.normal();
      a[i] = shared + 0.1 + 0.1 * rng.normal();
      b[i] = shared + 0.1 * rng.normal();
    }
    const paired = pairedDifference(a, b);
    const naive = independentDifference(estimateMean(a), estimateMean(b));
    expect(Math.abs(paired.value - 0.1)).toBeLessThanOrEqual(5 * paired.stderr);
    expect(paired.stderr * 50).toBeLessThan(naive.stderr);
    expect(naive.stderr).toBeAllclose(Math.hypot(estimateMean(a).stderr, estimateMean(b).stderr));
  });

  test("validates lengths and sample count", () => {
    expect(() => pairedDifference([1, 2], [1])).toThrow(InvalidArgumentError);
    expect(() => pairedDifference([1, 2], [1])).toThrow("pairedDifference: b.length must be equal to a.length = 2, got 1");
    expect(() => pairedDifference([1], [1])).toThrow(InsufficientSamplesError);
  });
});

describe("meanInterval", () => {
  test("two-pass mean, standard error and 1.96·stderr; NaN where undefined instead of throwing", async () => {
    const { meanInterval, Z_95 } = await import("./estimate.js");
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    const m = meanInterval(xs);
    expect(m.mean).toBeCloseTo(mean, 14);
    expect(m.stderr).toBeCloseTo(sd / Math.sqrt(xs.length), 14);
    expect(m.ci95).toBeCloseTo((Z_95 * sd) / Math.sqrt(xs.length), 14);
    expect(m.runs).toBe(8);
    expect(meanInterval([3]).mean).toBe(3);
    expect(meanInterval([3]).stderr).toBeNaN();
    expect(meanInterval([]).mean).toBeNaN();
  });
});
