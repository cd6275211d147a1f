import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { InvalidArgumentError } from "../errors.js";
import { symmetricEigen } from "./symmetricEigen.js";

/** max |A − V diag(λ) Vᵀ| and max |VᵀV − I|. */
function residuals(A: ArrayLike<number>, n: number, values: Float64Array, V: Float64Array): { rec: number; orth: number } {
  let rec = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        s += V[i * n + k] * values[k] * V[j * n + k];
        o += V[k * n + i] * V[k * n + j];
      }
      rec = Math.max(rec, Math.abs(s - A[i * n + j]));
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { rec, orth };
}

function randomSymmetric(n: number, rand: () => number, scale = 1): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const x = scale * (2 * rand() - 1);
      A[i * n + j] = x;
      A[j * n + i] = x;
    }
  }
  return A;
}

/** A random orthogonal matrix (Gram–Schmidt on a random matrix), row-major. */
function randomOrthogonal(n: number, rand: () => number): Float64Array {
  const Q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const v = Array.from({ length: n }, () => 2 * rand() - 1);
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += v[i] * Q[i * n + k];
        for (let i = 0; i < n; i++) v[i] -= d * Q[i * n + k];
      }
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) Q[i * n + j] = v[i] / norm;
  }
  return Q;
}

describe("symmetricEigen", () => {
  test("the doc example: [[2, 1], [1, 2]] has eigenvalues 1, 3", () => {
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]));
    expect(values).toBeAllclose([1, 3], { rtol: 1e-15 });
    expect(Math.abs(vectors[0])).toBeAllclose(Math.SQRT1_2, { rtol: 1e-15 });
    expect(vectors[0] * vectors[2]).toBeAllclose(-0.5, { rtol: 1e-15 }); // (1, −1)/√2
    expect(vectors[1] * vectors[3]).toBeAllclose(0.5, { rtol: 1e-15 }); // (1, 1)/√2
  });

  test("the second-difference matrix tridiag(−1, 2, −1) has eigenvalues 2 − 2cos(kπ/(n+1))", () => {
    const n = 30;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      A[i * n + i] = 2;
      if (i > 0) A[i * n + i - 1] = A[(i - 1) * n + i] = -1;
    }
    const { values, vectors } = symmetricEigen(A, n);
    const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    expect(values).toBeAllclose(expected, { rtol: 1e-13, atol: 1e-14 });
    const { rec, orth } = residuals(A, n, values, vectors);
    expect(rec).toBeLessThan(1e-13);
    expect(orth).toBeLessThan(1e-13);
  });

  test("property: A = V diag(λ) Vᵀ, VᵀV = I, λ ascending, Σλ = tr A", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (n, s, scale) => {
        const A = randomSymmetric(n, seededRandom(s), scale);
        const { values, vectors } = symmetricEigen(A, n);
        const { rec, orth } = residuals(A, n, values, vectors);
        expect(rec).toBeLessThan(1e-13 * scale * n);
        expect(orth).toBeLessThan(1e-13 * n);
        let trace = 0;
        for (let i = 0; i < n; i++) trace += A[i * n + i];
        expect(values.reduce((x, y) => x + y, 0)).toBeAllclose(trace, { rtol: 1e-12, atol: 1e-13 * scale * n });
        for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  test("recovers prescribed eigenvalues, including zero, tiny and repeated ones", () => {
    const rand = seededRandom(SEED);
    const n = 8;
    const lambda = [-2, 0, 0, 1e-12, 0.5, 0.5, 0.5, 7];
    const Q = randomOrthogonal(n, rand);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j] += Q[i * n + k] * lambda[k] * Q[j * n + k];
    const { values, vectors } = symmetricEigen(A, n);
    expect(values).toBeAllclose(lambda, { rtol: 1e-13, atol: 1e-14 });
    const { orth } = residuals(A, n, values, vectors);
    expect(orth).toBeLessThan(1e-13);
  });

  test("diagonal, zero, identity, 1×1 and empty matrices", () => {
    const d = symmetricEigen([3, 0, 0, 0, -1, 0, 0, 0, 2]);
    expect(Array.from(d.values)).toEqual([-1, 2, 3]);
    expect(Array.from(d.vectors)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(symmetricEigen(new Float64Array(9)).values)).toEqual([0, 0, 0]);
    const I = symmetricEigen([1, 0, 0, 1]);
    expect(Array.from(I.values)).toEqual([1, 1]);
    expect(Array.from(symmetricEigen([5]).values)).toEqual([5]);
    expect(symmetricEigen([]).values.length).toBe(0);
  });

  test("uses the symmetric part of a slightly asymmetric input", () => {
    const { values } = symmetricEigen([2, 1 + 1e-9, 1 - 1e-9, 2]);
    expect(values).toBeAllclose([1, 3], { rtol: 1e-15 });
  });

  test("P = 100 converges quickly and accurately", () => {
    const n = 100;
    const A = randomSymmetric(n, seededRandom(SEED + 1));
    const start = performance.now();
    const { values, vectors } = symmetricEigen(A, n);
    const elapsed = performance.now() - start;
    const { rec, orth } = residuals(A, n, values, vectors);
    expect(rec).toBeLessThan(1e-12);
    expect(orth).toBeLessThan(1e-12);
    expect(elapsed).toBeLessThan(5000);
  });

  test("validates its input", () => {
    expect(() => symmetricEigen([1, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => symmetricEigen([1, 2, 3, 4], 3)).toThrow("symmetricEigen: matrix must be of length 9 (row-major 3×3), got 4");
    expect(() => symmetricEigen([1, NaN, NaN, 1])).toThrow("symmetricEigen: matrix[0][1] must be a finite number, got NaN");
    expect(() => symmetricEigen([1, 0, 0, Infinity])).toThrow(InvalidArgumentError);
  });
});
