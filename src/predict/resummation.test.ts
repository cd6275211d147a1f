import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { InvalidArgumentError } from "../errors.js";
import { Rng } from "../stats/rng.js";
import { propagatorIntegral } from "./propagator.js";
import { entropicDrift, resummedFirstOrder, resummedNoise, resummedSkewness } from "./resummation.js";

// ---------------------------------------------------------------- small dense helpers (tests only)

type Mat = number[][];

const zeros = (n: number): Mat => Array.from({ length: n }, () => new Array<number>(n).fill(0));
const eye = (n: number): Mat => zeros(n).map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
const matmul = (A: Mat, B: Mat): Mat => A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
const transpose = (A: Mat): Mat => A[0].map((_, j) => A.map((row) => row[j]));
const matvec = (A: Mat, x: readonly number[]): number[] => A.map((row) => row.reduce((s, a, k) => s + a * x[k], 0));
const dot = (x: readonly number[], y: readonly number[]): number => x.reduce((s, a, i) => s + a * y[i], 0);
const add = (A: Mat, B: Mat, b = 1): Mat => A.map((row, i) => row.map((a, j) => a + b * B[i][j]));
const scale = (A: Mat, s: number): Mat => A.map((row) => row.map((a) => s * a));
const trace = (A: Mat): number => A.reduce((s, row, i) => s + row[i], 0);

function randomOrthogonal(n: number, rand: () => number): Mat {
  const Q = zeros(n);
  for (let j = 0; j < n; j++) {
    const v = Array.from({ length: n }, () => 2 * rand() - 1);
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const d = v.reduce((s, x, i) => s + x * Q[i][k], 0);
        for (let i = 0; i < n; i++) v[i] -= d * Q[i][k];
      }
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) Q[i][j] = v[i] / norm;
  }
  return Q;
}

/** `Q diag(λ) Qᵀ` for a random orthogonal `Q`. */
function withEigenvalues(lambda: readonly number[], rand: () => number): Mat {
  const Q = randomOrthogonal(lambda.length, rand);
  return matmul(
    Q.map((row) => row.map((q, j) => q * lambda[j])),
    transpose(Q),
  );
}

function randomPsd(n: number, rand: () => number): Mat {
  const B = Array.from({ length: n }, () => Array.from({ length: n }, () => 2 * rand() - 1));
  return matmul(B, transpose(B));
}

function randomSymmetricTensor(n: number, rand: () => number): number[][][] {
  const T = Array.from({ length: n }, () => Array.from({ length: n }, () => new Array<number>(n).fill(0)));
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      for (let c = b; c < n; c++) {
        const x = 2 * rand() - 1;
        for (const [i, j, k] of [
          [a, b, c],
          [a, c, b],
          [b, a, c],
          [b, c, a],
          [c, a, b],
          [c, b, a],
        ]) {
          T[i][j][k] = x;
        }
      }
    }
  }
  return T;
}

/** `T'_{ijk} = Σ Q_ai Q_bj Q_ck T_abc` (the tensor in rotated coordinates `θ' = Qᵀθ`). */
function rotate3(T: number[][][], Q: Mat): number[][][] {
  const n = Q.length;
  const out = Array.from({ length: n }, () => Array.from({ length: n }, () => new Array<number>(n).fill(0)));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let c = 0; c < n; c++) s += Q[a][i] * Q[b][j] * Q[c][k] * T[a][b][c];
        out[i][j][k] = s;
      }
  return out;
}

/** `Σ_abc T_abc (Mx)_a (My)_b (Mz)_c` with `x = y = z` implicit in a covariance: `J[Σ]_ξ = Σ_ab J_abξ Σ_ab`. */
const contract2 = (J: number[][][], S: Mat): number[] => J[0][0].map((_, xi) => J.reduce((s, Ja, a) => s + Ja.reduce((t, Jab, b) => t + Jab[xi] * S[a][b], 0), 0));

/** Classical RK4 for `y' = f(y)` on a flat state vector. */
function rk4(f: (y: number[]) => number[], y0: number[], tEnd: number, steps: number): number[] {
  const h = tEnd / steps;
  let y = y0.slice();
  for (let s = 0; s < steps; s++) {
    const k1 = f(y);
    const k2 = f(y.map((v, i) => v + 0.5 * h * k1[i]));
    const k3 = f(y.map((v, i) => v + 0.5 * h * k2[i]));
    const k4 = f(y.map((v, i) => v + h * k3[i]));
    y = y.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  }
  return y;
}

const flat = (A: Mat): number[] => A.flat();
const unflat = (x: readonly number[], n: number): Mat => Array.from({ length: n }, (_, i) => x.slice(i * n, i * n + n));

// ---------------------------------------------------------------- resummedFirstOrder

describe("resummedFirstOrder", () => {
  test("doc examples (1-D)", () => {
    expect(resummedFirstOrder([1], [[2]], 0.1, 10, { propagator: "discrete" })).toBeAllclose(-(1 - 0.8 ** 10) / 2, { rtol: 1e-14 });
    expect(resummedFirstOrder([1], [[2]], 0.1, 10)).toBeAllclose(-(1 - Math.exp(-2)) / 2, { rtol: 1e-14 });
  });

  test("discrete = G·(θ_T − θ0) for GD on the quadratic G·θ + ½θHθ (zero and negative curvature included)", () => {
    const rand = seededRandom(SEED);
    const H = withEigenvalues([-0.3, 0, 0.5, 1.2, 3], rand);
    const G = Array.from({ length: 5 }, () => 2 * rand() - 1);
    const eta = 0.1;
    const T = 37;
    let theta = new Array<number>(5).fill(0);
    for (let t = 0; t < T; t++) {
      const g = matvec(H, theta).map((x, i) => x + G[i]);
      theta = theta.map((x, i) => x - eta * g[i]);
    }
    expect(resummedFirstOrder(G, H, eta, T, { propagator: "discrete" })).toBeAllclose(dot(G, theta), { rtol: 1e-12 });
  });

  test("continuous = G·δ(T) for gradient flow δ' = −η(G + Hδ), solved by RK4", () => {
    const rand = seededRandom(SEED + 1);
    const H = withEigenvalues([0, 0.2, 1, 2.5], rand);
    const G = Array.from({ length: 4 }, () => 2 * rand() - 1);
    const eta = 0.05;
    const T = 60;
    const delta = rk4((d) => matvec(H, d).map((x, i) => -eta * (x + G[i])), [0, 0, 0, 0], T, 3000);
    expect(resummedFirstOrder(G, H, eta, T)).toBeAllclose(dot(G, delta), { rtol: 1e-10 });
  });

  test("H = 0 gives the polynomial −ηT G·G; small ηT|H| agrees with it to O(ηT|H|)", () => {
    const G = [0.3, -1.2, 0.7];
    const gg = dot(G, G);
    for (const propagator of ["continuous", "discrete"] as const) {
      expect(resummedFirstOrder(G, zeros(3), 0.01, 50, { propagator })).toBeAllclose(-0.01 * 50 * gg, { rtol: 1e-15 });
      const H = withEigenvalues([0.1, 0.5, 1], seededRandom(SEED));
      const v = resummedFirstOrder(G, H, 0.001, 10, { propagator });
      expect(Math.abs(v / (-0.001 * 10 * gg) - 1)).toBeLessThan(0.001 * 10 * 1);
    }
  });

  test("property: invariant under an orthogonal change of coordinates", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 6 }), (s, n) => {
        const rand = seededRandom(s);
        const H = randomPsd(n, rand);
        const G = Array.from({ length: n }, () => 2 * rand() - 1);
        const Q = randomOrthogonal(n, rand);
        const v = resummedFirstOrder(G, H, 0.07, 23, { propagator: "discrete" });
        const w = resummedFirstOrder(matvec(transpose(Q), G), matmul(matmul(transpose(Q), H), Q), 0.07, 23, { propagator: "discrete" });
        expect(w).toBeAllclose(v, { rtol: 1e-10, atol: 1e-13 });
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  test("flat Float64Array inputs equal nested arrays; inputs are validated", () => {
    const H = [
      [2, 1],
      [1, 3],
    ];
    const G = [1, -1];
    expect(resummedFirstOrder(new Float64Array(G), new Float64Array(flat(H)), 0.1, 5)).toBe(resummedFirstOrder(G, H, 0.1, 5));
    expect(() => resummedFirstOrder([1, 2, 3], H, 0.1, 5)).toThrow("resummedFirstOrder: G must be of length 2, got 3");
    expect(() => resummedFirstOrder(G, new Float64Array(3), 0.1, 5)).toThrow(InvalidArgumentError);
    expect(() => resummedFirstOrder(G, [[1, 2], [3]], 0.1, 5)).toThrow(InvalidArgumentError);
    expect(() => resummedFirstOrder([1, NaN], H, 0.1, 5)).toThrow("resummedFirstOrder: G (entry 1) must be a finite number, got NaN");
    expect(() => resummedFirstOrder(G, H, Infinity, 5)).toThrow("resummedFirstOrder: eta must be a finite number, got Infinity");
    expect(() => resummedFirstOrder(G, H, 0.1, 5.5, { propagator: "discrete" })).toThrow(InvalidArgumentError);
    expect(() => resummedFirstOrder(G, H, 0.1, -1)).toThrow(InvalidArgumentError);
  });
});

// ---------------------------------------------------------------- resummedNoise

describe("resummedNoise", () => {
  test("1-D, T → ∞: the stationary loss ηC/4 (discrete: ηC/(2(2 − ηh)))", () => {
    expect(resummedNoise([[2]], [[1]], 0.1, Infinity)).toBeAllclose(0.05, { rtol: 1e-15 });
    expect(resummedNoise([[2]], [[1]], 0.1, 1e5)).toBeAllclose(0.05, { rtol: 1e-15 });
    expect(resummedNoise([[3]], [[7]], 0.01, Infinity)).toBeAllclose((0.01 * 3) / 4, { rtol: 1e-15 });
    expect(resummedNoise([[2]], [[1]], 0.1, Infinity, { propagator: "discrete" })).toBeAllclose((0.1 * 2) / (2 * 1.9), { rtol: 1e-14 });
  });

  test("small T: the polynomial term T·η²·(C:H)/2, to relative O(ηT|H|)", () => {
    const rand = seededRandom(SEED);
    const C = randomPsd(3, rand);
    const H = randomPsd(3, rand);
    const eta = 1e-3;
    const T = 5;
    const poly = (T * eta * eta * trace(matmul(C, H))) / 2;
    const hmax = Math.max(...H.map((row) => row.reduce((s, x) => s + Math.abs(x), 0)));
    for (const propagator of ["continuous", "discrete"] as const) {
      expect(Math.abs(resummedNoise(C, H, eta, T, { propagator }) / poly - 1)).toBeLessThan(2 * eta * T * hmax);
    }
  });

  test("discrete = ½ tr(H Cov θ_T) for SGD on a quadratic: Cov_{t+1} = A Cov Aᵀ + η²C", () => {
    const rand = seededRandom(SEED + 2);
    const H = withEigenvalues([0, 0.4, 1, 2], rand);
    const C = randomPsd(4, rand);
    const eta = 0.2;
    const T = 25;
    const A = add(eye(4), H, -eta);
    let cov = zeros(4);
    for (let t = 0; t < T; t++) cov = add(matmul(matmul(A, cov), transpose(A)), scale(C, eta * eta));
    expect(resummedNoise(C, H, eta, T, { propagator: "discrete" })).toBeAllclose(0.5 * trace(matmul(H, cov)), { rtol: 1e-12 });
  });

  test("continuous = ½ tr(H Σ(T)) with the Lyapunov flow Σ' = −ηHΣ − ΣηH + η²C, solved by RK4", () => {
    const rand = seededRandom(SEED + 3);
    const H = withEigenvalues([0, 0.3, 1.5], rand);
    const C = randomPsd(3, rand);
    const eta = 0.1;
    const T = 40;
    const rhs = (y: number[]): number[] => {
      const S = unflat(y, 3);
      const HS = matmul(H, S);
      return flat(add(add(scale(HS, -eta), scale(transpose(HS), -eta)), scale(C, eta * eta)));
    };
    const sigma = unflat(rk4(rhs, new Array<number>(9).fill(0), T, 4000), 3);
    expect(resummedNoise(C, H, eta, T)).toBeAllclose(0.5 * trace(matmul(H, sigma)), { rtol: 1e-10 });
  });

  test("a flat direction adds nothing, even at T = ∞", () => {
    const H = [
      [1, 0],
      [0, 0],
    ];
    const C = [
      [2, 0.5],
      [0.5, 5],
    ];
    expect(resummedNoise(C, H, 0.1, Infinity)).toBeAllclose(0.05, { rtol: 1e-15 });
    expect(resummedNoise(C, H, 0.1, Infinity, { propagator: "discrete" })).toBeAllclose((0.1 * 2) / (2 * 1.9), { rtol: 1e-14 });
  });
});

// ---------------------------------------------------------------- resummedSkewness

describe("resummedSkewness", () => {
  test("the cubic-chi landscape (§I): H = 0 gives 8Tη³ with both propagators", () => {
    expect(resummedSkewness([[[-8]]], [[[6]]], [[0]], 0.01, 4)).toBeAllclose(3.2e-5, { rtol: 1e-14 });
    expect(resummedSkewness([[[-8]]], [[[6]]], [[0]], 0.01, 4, { propagator: "discrete" })).toBeAllclose(3.2e-5, { rtol: 1e-14 });
  });

  test("reduces to −(T/6) η³ S:J as H → 0 (so the printed extra /η is wrong)", () => {
    const rand = seededRandom(SEED);
    const S = randomSymmetricTensor(3, rand);
    const J = randomSymmetricTensor(3, rand);
    const SJ = S.flat(2).reduce((s, x, i) => s + x * J.flat(2)[i], 0);
    const eta = 0.05;
    const T = 30;
    const poly = (-(T / 6) * eta ** 3) * SJ;
    expect(resummedSkewness(S, J, zeros(3), eta, T)).toBeAllclose(poly, { rtol: 1e-13 });
    const tinyH = scale(randomPsd(3, rand), 1e-9);
    expect(resummedSkewness(S, J, tinyH, eta, T)).toBeAllclose(poly, { rtol: 1e-6 });
    expect(resummedSkewness(S, J, tinyH, eta, T, { propagator: "discrete" })).toBeAllclose(poly, { rtol: 1e-6 });
  });

  test("diagonal H by hand: −(η³/6) Σ S J P_T(k_μ + k_ν + k_λ)", () => {
    const S = [
      [
        [1, 2],
        [2, -1],
      ],
      [
        [2, -1],
        [-1, 3],
      ],
    ];
    const J = [
      [
        [0.5, 1],
        [1, 2],
      ],
      [
        [1, 2],
        [2, -4],
      ],
    ];
    const h = [0.3, 2];
    const eta = 0.1;
    const T = 12;
    let expected = 0;
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 2; b++)
        for (let c = 0; c < 2; c++) expected += S[a][b][c] * J[a][b][c] * propagatorIntegral(eta * (h[a] + h[b] + h[c]), T);
    expected *= -(eta ** 3) / 6;
    expect(resummedSkewness(S, J, [[0.3, 0], [0, 2]], eta, T)).toBeAllclose(expected, { rtol: 1e-13 });
  });

  test("discrete = (1/6) J : E[δ_T^{⊗3}] for δ_{t+1} = Aδ_t − ηξ_t with E[ξ^{⊗3}] = S", () => {
    const rand = seededRandom(SEED + 4);
    const n = 3;
    const H = withEigenvalues([0, 0.6, 1.7], rand);
    const S = randomSymmetricTensor(n, rand);
    const J = randomSymmetricTensor(n, rand);
    const eta = 0.15;
    const T = 20;
    const A = add(eye(n), H, -eta);
    // E δ_T^{⊗3} = −η³ Σ_{s<T} (A^s)^{⊗3} S
    let As = eye(n);
    let total = 0;
    for (let s = 0; s < T; s++) {
      const third = rotate3(S, transpose(As)); // Σ_abc A_ia A_jb A_kc S_abc
      total += third.flat(2).reduce((acc, x, i) => acc + x * J.flat(2)[i], 0);
      As = matmul(A, As);
    }
    expect(resummedSkewness(S, J, H, eta, T, { propagator: "discrete" })).toBeAllclose((-(eta ** 3) / 6) * total, { rtol: 1e-12 });
  });

  test("property: invariant under an orthogonal change of coordinates", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), (s, n) => {
        const rand = seededRandom(s);
        const H = randomPsd(n, rand);
        const S = randomSymmetricTensor(n, rand);
        const J = randomSymmetricTensor(n, rand);
        const Q = randomOrthogonal(n, rand);
        const Hq = matmul(matmul(transpose(Q), H), Q);
        const v = resummedSkewness(S, J, H, 0.1, 15);
        const w = resummedSkewness(rotate3(S, Q), rotate3(J, Q), Hq, 0.1, 15);
        expect(w).toBeAllclose(v, { rtol: 1e-10, atol: 1e-14 });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  test("validates tensor shapes", () => {
    expect(() => resummedSkewness([[[1]]], [[[1, 2]]], [[0]], 0.1, 1)).toThrow(InvalidArgumentError);
    expect(() => resummedSkewness(new Float64Array(7), new Float64Array(8), zeros(2), 0.1, 1)).toThrow(
      "resummedSkewness: S must be of length 8 (a row-major 2×2×2 tensor), got 7",
    );
  });
});

// ---------------------------------------------------------------- entropicDrift

/** The helix of §H at u = v = z = 0: H = diag(2, 1, 0), C_uv = −½, J_uvz = 1 (symmetrised). */
const helix = {
  H: [
    [2, 0, 0],
    [0, 1, 0],
    [0, 0, 0],
  ],
  C: [
    [0.5, -0.5, 0],
    [-0.5, 0.5, 0],
    [0, 0, 0],
  ],
  J: [0, 1, 2].map((a) => [0, 1, 2].map((b) => [0, 1, 2].map((c) => ([a, b, c].sort().join("") === "012" ? 1 : 0)))),
};

describe("entropicDrift", () => {
  test("H = 0: the polynomial order-3 drift −(η³/4)T(T−1)(C:J) (discrete), −(η³/4)T²(C:J) (continuous)", () => {
    const rand = seededRandom(SEED);
    const C = randomPsd(3, rand);
    const J = randomSymmetricTensor(3, rand);
    const CJ = contract2(J, C);
    const eta = 0.03;
    const T = 50;
    expect(entropicDrift(C, zeros(3), J, eta, T, { propagator: "discrete" })).toBeAllclose(
      CJ.map((x) => (-(eta ** 3) / 4) * T * (T - 1) * x),
      { rtol: 1e-13 },
    );
    expect(entropicDrift(C, zeros(3), J, eta, T)).toBeAllclose(
      CJ.map((x) => (-(eta ** 3) / 4) * T * T * x),
      { rtol: 1e-13 },
    );
  });

  test("hand-computed case: diagonal H with a flat direction gives a drift linear in T", () => {
    // H = diag(h1, h2, 0); C couples 1 and 2; J_{12z} = 1, J_{11z} = j1 (symmetrised).
    const h1 = 0.8;
    const h2 = 1.5;
    const c11 = 0.7;
    const c12 = 0.2;
    const j1 = -0.4;
    const H = [
      [h1, 0, 0],
      [0, h2, 0],
      [0, 0, 0],
    ];
    const C = [
      [c11, c12, 0],
      [c12, 0.3, 0],
      [0, 0, 0],
    ];
    const J = [0, 1, 2].map((a) =>
      [0, 1, 2].map((b) =>
        [0, 1, 2].map((c) => {
          const key = [a, b, c].sort().join("");
          return key === "012" ? 1 : key === "002" ? j1 : 0;
        }),
      ),
    );
    const eta = 0.05;
    const k1 = eta * h1;
    const k2 = eta * h2;
    // Q_T(0; b) = (T − P_T(b))/b
    const Q = (b: number, T: number): number => (T - propagatorIntegral(b, T)) / b;
    for (const T of [10, 1000, 1e6]) {
      const z = -0.5 * eta ** 3 * (2 * c12 * Q(k1 + k2, T) + c11 * j1 * Q(2 * k1, T));
      const drift = entropicDrift(C, H, J, eta, T);
      expect(drift[2]).toBeAllclose(z, { rtol: 1e-12 });
      expect(drift[0]).toBeAllclose(0, { atol: 1e-12 * Math.abs(z) });
      expect(drift[1]).toBeAllclose(0, { atol: 1e-12 * Math.abs(z) });
    }
    // The slope at large T: −½η³ (2c12/(k1+k2) + c11 j1/(2k1)) per step.
    const slope = -0.5 * eta ** 3 * ((2 * c12) / (k1 + k2) + (c11 * j1) / (2 * k1));
    const d1 = entropicDrift(C, H, J, eta, 2e6)[2] - entropicDrift(C, H, J, eta, 1e6)[2];
    expect(d1 / 1e6).toBeAllclose(slope, { rtol: 1e-9 });
  });

  test("helix (§H): z_T = η²T/6 − η/18 at large T, and the un-resummed η³T(T−1)/4 at small ηT", () => {
    for (const eta of [0.02, 0.05, 0.1]) {
      const T = 1e4;
      expect(entropicDrift(helix.C, helix.H, helix.J, eta, T)[2]).toBeAllclose((eta * eta * T) / 6 - eta / 18, { rtol: 1e-12 });
    }
    const eta = 1e-4;
    const T = 20;
    expect(entropicDrift(helix.C, helix.H, helix.J, eta, T, { propagator: "discrete" })[2]).toBeAllclose(
      (eta ** 3 * T * (T - 1)) / 4,
      { rtol: 2 * 3 * eta * T },
    );
  });

  test("discrete = the moment recursion m_{t+1} = A m_t − ½ηJ[Σ_t], Σ_{t+1} = AΣ_tAᵀ + η²C (no eigenbasis)", () => {
    const rand = seededRandom(SEED + 5);
    const n = 4;
    const H = withEigenvalues([0, 0.2, 0.9, 1.6], rand);
    const C = randomPsd(n, rand);
    const J = randomSymmetricTensor(n, rand);
    const eta = 0.1;
    const T = 30;
    const A = add(eye(n), H, -eta);
    let m = new Array<number>(n).fill(0);
    let cov = zeros(n);
    for (let t = 0; t < T; t++) {
      const force = contract2(J, cov).map((x) => -0.5 * eta * x);
      m = matvec(A, m).map((x, i) => x + force[i]);
      cov = add(matmul(matmul(A, cov), transpose(A)), scale(C, eta * eta));
    }
    const scaleOf = Math.max(...m.map(Math.abs));
    expect(entropicDrift(C, H, J, eta, T, { propagator: "discrete" })).toBeAllclose(m, { rtol: 1e-10, atol: 1e-12 * scaleOf });
  });

  test("property: covariant under an orthogonal change of coordinates", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), (s, n) => {
        const rand = seededRandom(s);
        const H = randomPsd(n, rand);
        const C = randomPsd(n, rand);
        const J = randomSymmetricTensor(n, rand);
        const Q = randomOrthogonal(n, rand);
        const d = entropicDrift(C, H, J, 0.1, 40);
        const dq = entropicDrift(matmul(matmul(transpose(Q), C), Q), matmul(matmul(transpose(Q), H), Q), rotate3(J, Q), 0.1, 40);
        const expected = matvec(transpose(Q), Array.from(d));
        const size = Math.max(1e-300, ...expected.map(Math.abs));
        expect(dq).toBeAllclose(expected, { rtol: 1e-9, atol: 1e-10 * size });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  test("Monte Carlo: SGD on the helix drifts as the discrete resummed prediction says (5σ + 0.5%)", () => {
    // l_x(θ) = ½[u² + v² + (cos z·u + sin z·v)²] + x·(cos(z−π/4)u + sin(z−π/4)v), x ~ N(0, 1).
    const eta = 0.05;
    const T = 2000;
    const runs = 400;
    const rng = new Rng(SEED);
    let sum = 0;
    let sum2 = 0;
    for (let r = 0; r < runs; r++) {
      let u = 0;
      let v = 0;
      let z = 0;
      for (let t = 0; t < T; t++) {
        const x = rng.normal();
        const cz = Math.cos(z);
        const sz = Math.sin(z);
        const cq = Math.cos(z - Math.PI / 4);
        const sq = Math.sin(z - Math.PI / 4);
        const w = cz * u + sz * v;
        const gu = u + w * cz + x * cq;
        const gv = v + w * sz + x * sq;
        const gz = w * (-sz * u + cz * v) + x * (-sq * u + cq * v);
        u -= eta * gu;
        v -= eta * gv;
        z -= eta * gz;
      }
      sum += z;
      sum2 += z * z;
    }
    const mean = sum / runs;
    const stderr = Math.sqrt((sum2 / runs - mean * mean) / (runs - 1));
    const predicted = entropicDrift(helix.C, helix.H, helix.J, eta, T, { propagator: "discrete" })[2];
    expect(Math.abs(mean - predicted), `mean ${mean} ± ${stderr} vs ${predicted} (seed ${SEED})`).toBeLessThanOrEqual(
      5 * stderr + 0.005 * predicted,
    );
  });
});
