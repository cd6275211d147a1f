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
});
