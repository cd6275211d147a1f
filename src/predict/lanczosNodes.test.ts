import { expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { bilinearQuadrature, lanczosNodes } from "./lanczosNodes.js";
import { symmetricEigen } from "./symmetricEigen.js";

const rnd = seededRandom(SEED + 31);
const n = 12;
const B = Float64Array.from({ length: n * n }, () => rnd() - 0.5);
// A = BᵀB + 0.1 I (symmetric positive definite)
const A = new Float64Array(n * n);
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
  let s = i === j ? 0.1 : 0;
  for (let k = 0; k < n; k++) s += B[k * n + i] * B[k * n + j];
  A[i * n + j] = s;
}
const matvec = (x: Float64Array) => Float64Array.from({ length: n }, (_, i) => x.reduce((s, xj, j) => s + A[i * n + j] * xj, 0));
const u = Float64Array.from({ length: n }, () => rnd() - 0.5);
const w = Float64Array.from({ length: n }, () => rnd() - 0.5);

/** `uᵀ f(A) w` through the eigendecomposition. */
function exact(f: (l: number) => number): number {
  const { values, vectors } = symmetricEigen(A, n);
  let s = 0;
  for (let j = 0; j < n; j++) {
    let pu = 0;
    let pw = 0;
    for (let i = 0; i < n; i++) {
      pu += vectors[i * n + j] * u[i];
      pw += vectors[i * n + j] * w[i];
    }
    s += f(values[j]) * pu * pw;
  }
  return s;
}

test("full Lanczos reproduces uᵀ f(A) w for several f from one set of nodes", () => {
  const q = bilinearQuadrature(matvec, u, w, n);
  for (const f of [(l: number) => l, (l: number) => Math.exp(-3 * l), (l: number) => -(1 - (1 - 0.1 * l) ** 50) / l]) {
    expect(q(f)).toBeCloseTo(exact(f), 9);
  }
});

test("k steps are exact for polynomials of degree < 2k", () => {
  const { nodes, weights } = lanczosNodes(matvec, u, 3);
  const uAu = (p: number) => {
    let v = u;
    for (let i = 0; i < p; i++) v = matvec(v);
    return v.reduce((s, x, i) => s + x * u[i], 0);
  };
  for (let p = 0; p < 6; p++) expect(nodes.reduce((s, x, j) => s + weights[j] * x ** p, 0)).toBeCloseTo(uAu(p), 8);
});
