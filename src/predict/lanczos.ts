import { bilinearQuadrature, lanczosNodes } from "./lanczosNodes.js";

/**
 * `vᵀ f(A) v` for a symmetric operator given only as `matvec`, by `steps` Lanczos steps
 * (Gauss quadrature of the spectral measure; see {@link lanczosNodes}).
 */
export function lanczosQuadraticForm(
  matvec: (x: Float64Array) => Float64Array,
  v: Float64Array,
  f: (lambda: number) => number,
  steps: number,
): number {
  const { nodes, weights } = lanczosNodes(matvec, v, steps);
  return nodes.reduce((s, x, j) => s + weights[j] * f(x), 0);
}

/** `uᵀ f(A) w` by polarisation (see {@link bilinearQuadrature}, which reuses the nodes for many `f`). */
export function lanczosBilinearForm(
  matvec: (x: Float64Array) => Float64Array,
  u: Float64Array,
  w: Float64Array,
  f: (lambda: number) => number,
  steps: number,
): number {
  return bilinearQuadrature(matvec, u, w, steps)(f);
}
