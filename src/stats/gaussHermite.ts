/**
 * Gauss–Hermite quadrature for the standard normal distribution.
 *
 * @module
 */
import { InternalError, requireInt } from "../errors.js";

/** Nodes and weights of an `m`-point quadrature rule; `Σ weights = 1`. */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
  /** The rule is exact (up to rounding) for polynomials of degree at most this. */
  readonly exactDegree: number;
}

/** Largest supported number of nodes (beyond this the smallest weights underflow). */
export const MAX_GAUSS_HERMITE_NODES = 100;

/**
 * The `m`-point Gauss–Hermite rule for `x ~ N(0, 1)`:
 * `Σ_i w_i p(x_i) = E[p(x)]` for every polynomial `p` of degree `≤ 2m − 1`.
 *
 * So a finite population `{(x_i, w_i)}` reproduces exactly every moment of a loss family that
 * is polynomial in a standard normal datum, e.g. `E[x⁶] = 15` needs `m ≥ 4`.
 *
 * ## Method
 * Golub–Welsch: the nodes are the eigenvalues of the symmetric tridiagonal Jacobi matrix of
 * the probabilists' Hermite polynomials (`He_{k+1} = x He_k − k He_{k−1}`: zero diagonal,
 * off-diagonal `√k`), and `w_i` is the squared first component of the `i`-th normalised
 * eigenvector. Eigenpairs by the implicit QL algorithm with Wilkinson shifts, carrying only the
 * first row of the eigenvector matrix. Nodes and weights are then symmetrised about 0 (the
 * exact rule is symmetric), so odd moments vanish exactly.
 *
 * ## References
 * - G. H. Golub, J. H. Welsch, "Calculation of Gauss quadrature rules", Math. Comp. 23, 1969.
 * - W. H. Press et al., Numerical Recipes, 3rd ed., §11.4 (`tqli`), §4.6.
 *
 * @throws InvalidArgumentError unless `m` is an integer in `[1, MAX_GAUSS_HERMITE_NODES]`.
 *
 * @example
 * ```ts
 * gaussHermite(3); // nodes [−√3, 0, √3], weights [1/6, 2/3, 1/6]
 * ```
 */
export function gaussHermite(m: number): QuadratureRule {
  requireInt(m, "gaussHermite", "m", 1, MAX_GAUSS_HERMITE_NODES);
  const d = new Float64Array(m); // diagonal → eigenvalues
  const e = new Float64Array(m); // e[i] couples i and i+1; e[m−1] = 0
  for (let i = 0; i + 1 < m; i++) e[i] = Math.sqrt(i + 1);
  const z = new Float64Array(m); // first row of the eigenvector matrix
  z[0] = 1;
  tridiagonalQl(d, e, z);

  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => d[a] - d[b]);
  const nodes = new Float64Array(m);
  const weights = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const lo = order[i];
    const hi = order[m - 1 - i];
    nodes[i] = (d[lo] - d[hi]) / 2;
    weights[i] = (z[lo] * z[lo] + z[hi] * z[hi]) / 2;
  }
  if (m % 2 === 1) nodes[(m - 1) / 2] = 0;
  let total = 0;
  for (const w of weights) total += w;
  for (let i = 0; i < m; i++) weights[i] /= total;
  return { nodes, weights, exactDegree: 2 * m - 1 };
}

/**
 * Implicit QL with shifts on a symmetric tridiagonal matrix (Numerical Recipes `tqli`,
 * 0-based), applying each rotation to the row vector `z`.
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, z: Float64Array): void {
  const n = d.length;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw new InternalError("gaussHermite: QL iteration did not converge");
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          const zf = z[i + 1];
          z[i + 1] = s * z[i] + c * zf;
          z[i] = c * z[i] - s * zf;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}
