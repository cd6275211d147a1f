import { InvalidArgumentError, requireInt } from "../errors.js";
import { symmetricEigen } from "./symmetricEigen.js";

/**
 * `vᵀ f(A) v` for a symmetric operator given only as `matvec`, by `k` steps of Lanczos
 * (Golub & Meurant 2010, "Matrices, Moments and Quadrature"): with the tridiagonal `T_k`
 * and `v = |v| q_1`, `vᵀ f(A) v ≈ |v|² e_1ᵀ f(T_k) e_1 = |v|² Σ_j f(λ_j) (y_j)_1²` — exact for
 * polynomials of degree `< 2k`. Full reorthogonalisation keeps it stable for small `k`.
 */
export function lanczosQuadraticForm(
  matvec: (x: Float64Array) => Float64Array,
  v: Float64Array,
  f: (lambda: number) => number,
  steps: number,
): number {
  requireInt(steps, "lanczosQuadraticForm", "steps", 1, 500);
  let norm2 = 0;
  for (const x of v) norm2 += x * x;
  if (!Number.isFinite(norm2)) throw new InvalidArgumentError("lanczosQuadraticForm", "v", "finite", "non-finite entries");
  if (norm2 === 0) return 0;
  const Q: Float64Array[] = [v.map((x) => x / Math.sqrt(norm2))];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let j = 0; j < Math.min(steps, v.length); j++) {
    const w = matvec(Q[j]);
    let a = 0;
    for (let i = 0; i < w.length; i++) a += w[i] * Q[j][i];
    alpha.push(a);
    // w ← w − Σ (w·q) q over all previous vectors (full reorthogonalisation, twice).
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
  let s = 0;
  for (let j = 0; j < k; j++) {
    const y1 = vectors[0 * k + j];
    s += f(values[j]) * y1 * y1;
  }
  return norm2 * s;
}

/** `uᵀ f(A) w` by polarisation: `¼[(u+w)ᵀf(A)(u+w) − (u−w)ᵀf(A)(u−w)]`. */
export function lanczosBilinearForm(
  matvec: (x: Float64Array) => Float64Array,
  u: Float64Array,
  w: Float64Array,
  f: (lambda: number) => number,
  steps: number,
): number {
  const plus = u.map((x, i) => x + w[i]);
  const minus = u.map((x, i) => x - w[i]);
  return (lanczosQuadraticForm(matvec, plus, f, steps) - lanczosQuadraticForm(matvec, minus, f, steps)) / 4;
}
