/**
 * Float64 derivative oracles of a per-datum loss `l_x(θ)`, the interface the predictors
 * and simulators use whatever computes the derivatives (an analytic model or jax-js).
 * Data are referred to by a handle `X` (an index into a data set, or a feature array).
 */
export interface DerivativeOracle<X> {
  /** Number of weights `P`. */
  readonly dim: number;
  /** `∇^k l_x(θ)[v_1..v_k]` (`k = 0` is the loss). */
  directionalDerivative(theta: Float64Array, x: X, directions: readonly Float64Array[]): number;
  /** `∇^{k+1} l_x(θ)[v_1..v_k, ·]` (`k = 0` is the gradient, `k = 1` a Hessian-vector product). */
  directionalGradient(theta: Float64Array, x: X, directions: readonly Float64Array[]): Float64Array;
  /** Optional fast path: `∇^k l_x(θ)[v_1..v_k]` for every `x ∈ xs`, in order. */
  directionalDerivatives?(theta: Float64Array, xs: readonly X[], directions: readonly Float64Array[]): Float64Array;
  /**
   * Optional fast path: row `r` (row-major, `xs.length × P`) is `∇^{k+1} l_{xs[r]}(θ)[v_1..v_k, ·]`
   * (the same directions for every datum), e.g. all per-sample gradients of a batch in one call.
   */
  directionalGradients?(theta: Float64Array, xs: readonly X[], directions: readonly Float64Array[]): Float64Array;
  /** Optional fast path: `mean_{x∈xs} ∇^{k+1} l_x(θ)[v_1..v_k, ·]`. */
  meanDirectionalGradient?(theta: Float64Array, xs: readonly X[], directions: readonly Float64Array[]): Float64Array;
}
