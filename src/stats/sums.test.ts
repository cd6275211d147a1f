import { describe, expect, test } from "vitest";
import { estimateMean } from "./estimate.js";
import { estimateFromSums, mergeSums, sumsOf } from "./sums.js";

describe("mergeable sums", () => {
  test("merged chunks give the estimate of the whole sample", () => {
    const xs = [1.5, -2, 3.25, 0.5, 7, -1, 2];
    const whole = estimateMean(xs);
    const merged = estimateFromSums(mergeSums([sumsOf(xs.slice(0, 3)), sumsOf(xs.slice(3))]));
    expect(merged.value).toBeCloseTo(whole.value, 14);
    expect(merged.stderr).toBeCloseTo(whole.stderr, 12);
    expect(merged.n).toBe(7);
    expect(estimateFromSums(sumsOf([2, 2, 2])).stderr).toBe(0);
    expect(() => estimateFromSums(sumsOf([1]))).toThrow(/at least 2/);
  });

  test("no cancellation at a large offset (the Σx² − n·mean² formula loses every digit here)", () => {
    const xs = [1, 2, 3, 4, 5, 6].map((x) => 1e9 + x);
    const merged = estimateFromSums(mergeSums([sumsOf(xs.slice(0, 2)), sumsOf(xs.slice(2, 5)), sumsOf(xs.slice(5))]));
    // Deviations 1..6 from 1e9+3.5: variance 3.5, stderr √(3.5/6).
    expect(merged.stderr).toBeCloseTo(Math.sqrt(3.5 / 6), 9);
    expect(merged.value).toBe(1e9 + 3.5);
  });
});
