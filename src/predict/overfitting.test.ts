import { describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { InvalidArgumentError } from "../errors.js";
import { gdOverfitting } from "./overfitting.js";

type Mat = number[][];
const zeros = (n: number): Mat => Array.from({ length: n }, () => new Array<number>(n).fill(0));
const eye = (n: number): Mat => zeros(n).map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
const matmul = (A: Mat, B: Mat): Mat => A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
const transpose = (A: Mat): Mat => A[0].map((_, j) => A.map((row) => row[j]));
const add = (A: Mat, B: Mat, b = 1): Mat => A.map((row, i) => row.map((a, j) => a + b * B[i][j]));
const trace = (A: Mat): number => A.reduce((s, row, i) => s + row[i], 0);

function randomPsd(n: number, rand: () => number): Mat {
  const B = Array.from({ length: n }, () => Array.from({ length: n }, () => 2 * rand() - 1));
  return matmul(B, transpose(B));
}

/** The maximiser of `(1 − e^{−x})²/x`: the root of `e^x − 1 = 2x` (Newton from 1.5). */
function peakReference(): number {
  let x = 1.5;
  for (let i = 0; i < 50; i++) x -= (Math.expm1(x) - 2 * x) / (Math.exp(x) - 2);
  return x;
}

describe("gdOverfitting", () => {
  test("doc example (1-D, C = H = 1, ηT = 1)", () => {
    const r = gdOverfitting([[1]], [[1]], 0.1, 10, 100);
    expect(r.overfitting).toBeAllclose((1 - Math.exp(-1)) ** 2 / 200, { rtol: 1e-14 });
    expect(r.gap).toBeAllclose((1 - Math.exp(-1)) / 100, { rtol: 1e-14 });
    expect(r.tic).toBeAllclose(0.01, { rtol: 1e-15 });
  });

  test("discrete is exact for GD on l_n = ½θHθ + θ·ξ_n: θ_T = −Mξ̄ with M = η Σ_{s<T} (I − ηH)^s", () => {
    const rand = seededRandom(SEED);
    const n = 4;
    const H = add(randomPsd(n, rand), eye(n), 0.1);
    const C = randomPsd(n, rand);
    const eta = 0.1;
    const T = 33;
    const N = 50;
    const A = add(eye(n), H, -eta);
    let M = zeros(n);
    let As = eye(n);
    for (let s = 0; s < T; s++) {
      M = add(M, As, eta);
      As = matmul(A, As);
    }
    // Cov ξ̄ = C/N. Test loss rises by ½E[θHθ]; the train loss also has E[ξ̄·θ_T] = −tr(MC)/N.
    const overfitting = (0.5 * trace(matmul(matmul(matmul(transpose(M), H), M), C))) / N;
    const gap = trace(matmul(M, C)) / N;
    const r = gdOverfitting(C, H, eta, T, N, { propagator: "discrete" });
    expect(r.overfitting).toBeAllclose(overfitting, { rtol: 1e-12 });
    expect(r.gap).toBeAllclose(gap, { rtol: 1e-12 });
    // The printed gap with C/(2NH) in place of C/(NH) is half of the exact one.
    expect(Math.abs(r.gap - gap / 2)).toBeGreaterThan(0.1 * gap);
  });

  test("T → ∞: gap → TIC = tr(CH^{-1})/N and overfitting → TIC/2 (AIC when C = H)", () => {
    const rand = seededRandom(SEED + 1);
    const H = add(randomPsd(3, rand), eye(3), 0.2);
    const C = randomPsd(3, rand);
    const N = 20;
    for (const propagator of ["continuous", "discrete"] as const) {
      const inf = gdOverfitting(C, H, 0.05, Infinity, N, { propagator });
      const big = gdOverfitting(C, H, 0.05, 100_000, N, { propagator });
      expect(inf.gap).toBeAllclose(inf.tic, { rtol: 1e-12 });
      expect(inf.overfitting).toBeAllclose(inf.tic / 2, { rtol: 1e-12 });
      expect(big.gap).toBeAllclose(inf.tic, { rtol: 1e-12 });
    }
    const aic = gdOverfitting(H, H, 0.05, Infinity, N);
    expect(aic.tic).toBeAllclose(3 / N, { rtol: 1e-12 }); // tr(H H^{-1})/N = P/N
  });

  test("STIC stays bounded as H → 0: a flat direction adds 0 overfitting and ηT·C̃/N to the gap", () => {
    const H = [
      [1, 0],
      [0, 0],
    ];
    const C = [
      [2, 0],
      [0, 3],
    ];
    const eta = 0.1;
    const T = 50;
    const N = 10;
    const r = gdOverfitting(C, H, eta, T, N);
    const x = eta * T;
    expect(r.overfitting).toBeAllclose((2 * (1 - Math.exp(-x)) ** 2) / (2 * N), { rtol: 1e-14 });
    expect(r.gap).toBeAllclose((2 * (1 - Math.exp(-x))) / N + (eta * T * 3) / N, { rtol: 1e-14 });
    expect(r.tic).toBe(Infinity);
    // tiny but non-zero curvature: continuous in h, no blow-up
    const r2 = gdOverfitting(C, [[1, 0], [0, 1e-14]], eta, T, N);
    expect(r2.overfitting).toBeAllclose(r.overfitting, { rtol: 1e-10 });
    expect(r2.gap).toBeAllclose(r.gap, { rtol: 1e-10 });
  });

  test("1-D: at fixed ηT, overfitting peaks at x = ηTh ≈ 1.2564 (root of e^x − 1 = 2x)", () => {
    const eta = 0.01;
    const T = 100; // ηT = 1, so x = h
    const f = (h: number): number => gdOverfitting([[1]], [[h]], eta, T, 1).overfitting;
    // golden-section search for the maximum over h ∈ [0.1, 5]
    let a = 0.1;
    let b = 5;
    const g = (Math.sqrt(5) - 1) / 2;
    let x1 = b - g * (b - a);
    let x2 = a + g * (b - a);
    let f1 = f(x1);
    let f2 = f(x2);
    while (b - a > 1e-9) {
      if (f1 < f2) {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a + g * (b - a);
        f2 = f(x2);
      } else {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b - g * (b - a);
        f1 = f(x1);
      }
    }
    const peak = 0.5 * (a + b);
    expect(peak).toBeAllclose(peakReference(), { rtol: 1e-6 });
    expect(peak).toBeAllclose(1.2564, { atol: 5e-5 });
    // sharp and flat minima overfit less than medium ones
    expect(f(0.05)).toBeLessThan(f(peak));
    expect(f(20)).toBeLessThan(f(peak));
  });

  test("validates N and T", () => {
    expect(() => gdOverfitting([[1]], [[1]], 0.1, 10, 0)).toThrow("gdOverfitting: N must be a finite positive number, got 0");
    expect(() => gdOverfitting([[1]], [[1]], 0.1, 10.5, 5, { propagator: "discrete" })).toThrow(InvalidArgumentError);
    expect(() => gdOverfitting([[1, 0]], [[1]], 0.1, 10, 5)).toThrow(InvalidArgumentError);
  });
});
