/**
 * Eigen-decomposition of a small real symmetric matrix (float64, no dependencies).
 *
 * @module
 */
import { InternalError, InvalidArgumentError } from "../errors.js";

/** `A = V·diag(values)·Vᵀ` with `V` orthogonal. */
export interface SymmetricEigenResult {
  /** The eigenvalues, ascending. */
  readonly values: Float64Array;
  /**
   * The orthonormal eigenvectors as the columns of a row-major `n × n` matrix:
   * `vectors[i * n + j]` is component `i` of the eigenvector for `values[j]`.
   */
  readonly vectors: Float64Array;
}

/** Largest supported dimension (the cyclic Jacobi method costs about `10·n³` per sweep). */
export const MAX_SYMMETRIC_EIGEN_DIMENSION = 400;

const MAX_SWEEPS = 100;

/**
 * Eigenvalues and orthonormal eigenvectors of a real symmetric `n × n` matrix.
 *
 * The input is read from its upper and lower triangles averaged, `(A + Aᵀ)/2`; the caller is
 * responsible for passing a (numerically) symmetric matrix.
 *
 * ## Method
 * Cyclic Jacobi: sweep over all pairs `p < q`, annihilating `a_pq` with the rotation whose
 * tangent is the smaller root of `t² + 2θt − 1 = 0`, `θ = (a_qq − a_pp)/(2a_pq)`, and update
 * the rest with `τ = s/(1 + c)` (Rutishauser's form, which keeps rounding errors small).
 * Off-diagonal entries that are negligible next to both diagonal entries are set to zero
 * (the threshold of Numerical Recipes' `jacobi`). Convergence is quadratic; a sweep costs
 * `O(n³)`, and about ten sweeps suffice for `n ≤ 100`. Jacobi's method computes small
 * eigenvalues with high relative accuracy when the matrix is well scaled (Demmel–Veselić).
 *
 * ## References
 * - H. Rutishauser, "The Jacobi method for real symmetric matrices", Numer. Math. 9, 1966.
 * - W. H. Press et al., Numerical Recipes, 3rd ed., §11.1.
 * - J. Demmel, K. Veselić, "Jacobi's method is more accurate than QR", SIAM J. Matrix Anal.
 *   Appl. 13(4), 1992.
 *
 * @param matrix - row-major `n × n` entries (`n²` numbers).
 * @param n - the dimension; defaults to `√matrix.length`.
 * @throws InvalidArgumentError when the length is not `n²`, `n` exceeds
 *   {@link MAX_SYMMETRIC_EIGEN_DIMENSION}, or an entry is not finite.
 *
 * @example
 * ```ts
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]));
 * // values = [1, 3]; the columns of vectors are ±(1, −1)/√2 and ±(1, 1)/√2
 * ```
 */
export function symmetricEigen(matrix: Float64Array | readonly number[], n?: number): SymmetricEigenResult {
  const where = "symmetricEigen";
  const dim = n ?? Math.round(Math.sqrt(matrix.length));
  if (!Number.isInteger(dim) || dim < 0 || dim > MAX_SYMMETRIC_EIGEN_DIMENSION) {
    throw new InvalidArgumentError(where, "n", `an integer in [0, ${MAX_SYMMETRIC_EIGEN_DIMENSION}]`, dim);
  }
  if (matrix.length !== dim * dim) {
    throw new InvalidArgumentError(where, "matrix", `of length ${dim * dim} (row-major ${dim}×${dim})`, matrix.length);
  }
  const a = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      const x = matrix[i * dim + j];
      if (!Number.isFinite(x)) throw new InvalidArgumentError(where, `matrix[${i}][${j}]`, "a finite number", x);
      a[i * dim + j] = i === j ? x : 0.5 * (x + matrix[j * dim + i]);
    }
  }
  const v = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1;

  let converged = false;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < dim; p++) for (let q = p + 1; q < dim; q++) off += Math.abs(a[p * dim + q]);
    if (off === 0) {
      converged = true;
      break;
    }
    for (let p = 0; p < dim; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q];
        if (apq === 0) continue;
        const app = a[p * dim + p];
        const aqq = a[q * dim + q];
        const g = 100 * Math.abs(apq);
        // After a few sweeps, an a_pq below the last bit of both diagonal entries is zero.
        if (sweep > 3 && Math.abs(app) + g === Math.abs(app) && Math.abs(aqq) + g === Math.abs(aqq)) {
          a[p * dim + q] = 0;
          a[q * dim + p] = 0;
          continue;
        }
        const h = aqq - app;
        let t: number;
        if (Math.abs(h) + g === Math.abs(h)) {
          t = apq / h; // θ so large that θ² would overflow: t ≈ 1/(2θ)
        } else {
          const theta = (0.5 * h) / apq;
          t = 1 / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
          if (theta < 0) t = -t;
        }
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        const tau = s / (1 + c);
        a[p * dim + p] = app - t * apq;
        a[q * dim + q] = aqq + t * apq;
        a[p * dim + q] = 0;
        a[q * dim + p] = 0;
        for (let r = 0; r < dim; r++) {
          if (r !== p && r !== q) {
            const arp = a[r * dim + p];
            const arq = a[r * dim + q];
            const np = arp - s * (arq + tau * arp);
            const nq = arq + s * (arp - tau * arq);
            a[r * dim + p] = np;
            a[p * dim + r] = np;
            a[r * dim + q] = nq;
            a[q * dim + r] = nq;
          }
          const vrp = v[r * dim + p];
          const vrq = v[r * dim + q];
          v[r * dim + p] = vrp - s * (vrq + tau * vrp);
          v[r * dim + q] = vrq + s * (vrp - tau * vrq);
        }
      }
    }
  }
  if (!converged) throw new InternalError(`symmetricEigen: Jacobi did not converge in ${MAX_SWEEPS} sweeps (n = ${dim})`);

  const order = Array.from({ length: dim }, (_, i) => i).sort((i, j) => a[i * dim + i] - a[j * dim + j]);
  const values = new Float64Array(dim);
  const vectors = new Float64Array(dim * dim);
  order.forEach((src, dst) => {
    values[dst] = a[src * dim + src];
    for (let r = 0; r < dim; r++) vectors[r * dim + dst] = v[r * dim + src];
  });
  return { values, vectors };
}
