import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { gaussHermite } from "./gaussHermite.js";

/** E[x^k] for x ~ N(0,1): (k−1)!! for even k, 0 for odd k. */
function normalMoment(k: number): number {
  if (k % 2 === 1) return 0;
  let r = 1;
  for (let j = k - 1; j > 1; j -= 2) r *= j;
  return r;
}

describe("gaussHermite", () => {
  test("the doc example: m = 3 is {−√3, 0, √3} with weights {1/6, 2/3, 1/6}", () => {
    const { nodes, weights, exactDegree } = gaussHermite(3);
    expect(nodes).toBeAllclose([-Math.sqrt(3), 0, Math.sqrt(3)], { rtol: 1e-14 });
    expect(weights).toBeAllclose([1 / 6, 2 / 3, 1 / 6], { rtol: 1e-14 });
    expect(exactDegree).toBe(5);
  });

  test("m = 1 and m = 2", () => {
    expect(gaussHermite(1)).toEqual({ nodes: new Float64Array([0]), weights: new Float64Array([1]), exactDegree: 1 });
    const r = gaussHermite(2);
    expect(r.nodes).toBeAllclose([-1, 1], { rtol: 1e-15 });
    expect(r.weights).toBeAllclose([0.5, 0.5], { rtol: 1e-15 });
  });

  test.each([4, 5, 8, 13, 20, 40])("m = %i integrates x^k exactly for k ≤ 2m − 1", (m) => {
    const { nodes, weights } = gaussHermite(m);
    const kmax = Math.min(2 * m - 1, 30);
    for (let k = 0; k <= kmax; k++) {
      let s = 0;
      let scale = 0; // Σ w|x|^k: the size of the terms that cancel in odd moments
      for (let i = 0; i < m; i++) {
        s += weights[i] * nodes[i] ** k;
        scale += weights[i] * Math.abs(nodes[i]) ** k;
      }
      expect(s, `m=${m}, k=${k}`).toBeAllclose(normalMoment(k), { rtol: 1e-11, atol: 1e-14 * scale });
    }
    // Exactness stops at degree 2m: E[x^{2m}] is not reproduced.
    if (2 * m <= 30) {
      let s = 0;
      for (let i = 0; i < m; i++) s += weights[i] * nodes[i] ** (2 * m);
      expect(Math.abs(s - normalMoment(2 * m))).toBeGreaterThan(1e-6);
    }
  });

  test("nodes are sorted and symmetric, weights positive and symmetric", () => {
    const { nodes, weights } = gaussHermite(11);
    for (let i = 0; i < 11; i++) {
      expect(nodes[i] + nodes[10 - i]).toBe(0);
      expect(weights[i]).toBe(weights[10 - i]);
      expect(weights[i]).toBeGreaterThan(0);
      if (i > 0) expect(nodes[i]).toBeGreaterThan(nodes[i - 1]);
    }
  });

  test("validates m", () => {
    expect(() => gaussHermite(0)).toThrow(InvalidArgumentError);
    expect(() => gaussHermite(2.5)).toThrow("gaussHermite: m must be an integer in [1, 100], got 2.5");
  });
});
