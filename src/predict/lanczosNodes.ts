import { InvalidArgumentError, requireInt } from "../errors.js";
import { symmetricEigen } from "./symmetricEigen.js";

/**
 * Gauss quadrature nodes and weights of the spectral measure of `v` under a symmetric operator
 * given only as `matvec`, from `steps` Lanczos steps (Golub & Meurant 2010): for any `f`,
 * `vᵀ f(A) v ≈ Σ_j weights[j]·f(nodes[j])`, exact for polynomials of degree `< 2·steps`.
 * Unlike a one-shot quadratic form, the nodes serve every `f` (e.g. every η of a curve) for the
 * price of one Lanczos run. Full reorthogonalisation (twice) keeps small `steps` stable.
 *
 * @throws InvalidArgumentError for non-finite `v` or `steps` outside `[1, 500]`.
 */
export function lanczosNodes(matvec: (x: Float64Array) => Float64Array, v: Float64Array, steps: number): { nodes: number[]; weights: number[] } {
  requireInt(steps, "lanczosNodes", "steps", 1, 500);
  let norm2 = 0;
  for (const x of v) norm2 += x * x;
  if (!Number.isFinite(norm2)) throw new InvalidArgumentError("lanczosNodes", "v", "a finite vector", "non-finite entries");
  if (norm2 === 0) return { nodes: [0], weights: [0] };
  const Q: Float64Array[] = [v.map((x) => x / Math.sqrt(norm2))];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let j = 0; j < Math.min(steps, v.length); j++) {
    const w = matvec(Q[j]);
    let a = 0;
    for (let i = 0; i < w.length; i++) a += w[i] * Q[j][i];
    alpha.push(a);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        let d = 0;
        for (let i = 0; i < w.length; i++) d += w[i] * q[i];
        for (let i = 0; i < w.length; i++) w[i] -= d * q[i];
      }
    }
    let b = 0;
    for (const x of w) b += x * x;
    b = Math.sqrt(b);
    if (j === steps - 1 || b <= 1e-12 * Math.abs(a) || b === 0) break;
    beta.push(b);
    Q.push(w.map((x) => x / b));
  }
  const k = alpha.length;
  const Tm = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    Tm[i * k + i] = alpha[i];
    if (i + 1 < k) Tm[i * k + i + 1] = Tm[(i + 1) * k + i] = beta[i];
  }
  const { values, vectors } = symmetricEigen(Tm, k);
  return { nodes: Array.from(values), weights: Array.from({ length: k }, (_, j) => norm2 * vectors[j] * vectors[j]) };
}

/**
 * `uᵀ f(A) w` from the nodes of `u + w` and `u − w` (polarisation:
 * `¼[(u+w)ᵀf(A)(u+w) − (u−w)ᵀf(A)(u−w)]`), reusable for many `f`.
 */
export function bilinearQuadrature(matvec: (x: Float64Array) => Float64Array, u: Float64Array, w: Float64Array, steps: number): (f: (lambda: number) => number) => number {
  const plus = lanczosNodes(matvec, u.map((x, i) => x + w[i]), steps);
  const minus = lanczosNodes(matvec, u.map((x, i) => x - w[i]), steps);
  const sum = (q: { nodes: number[]; weights: number[] }, f: (l: number) => number) => q.nodes.reduce((s, x, j) => s + q.weights[j] * f(x), 0);
  return (f) => (sum(plus, f) - sum(minus, f)) / 4;
}
