/**
 * The numeric layer: the only importer of `@jax-js/jax`. See `./jax.ts` for the ownership
 * rules and precision facts.
 *
 * @module
 */
export {
  ArrayScope,
  completePolicy,
  constant,
  FAST_POLICY,
  fromFloat64Array,
  grad,
  initNumerics,
  isNumericsReady,
  jit,
  jvp,
  lax,
  np,
  PRECISE_POLICY,
  requireNumerics,
  toFloat64Array,
  toNumber,
  tree,
  valueAndGrad,
  vjp,
  vmap,
  withArrays,
  type JaxArray,
  type NumericDevice,
  type NumericDType,
  type NumericsPolicy,
  type OwnedFunction,
} from "./jax.js";
export { dataMatrix, matrixRow, packRows, type DataMatrix } from "./dataMatrix.js";
export {
  directionalDerivativeFn,
  directionalGradientFn,
  MAX_DIRECTIONAL_ORDER,
  type DirectionalFunction,
  type LossFunction,
} from "./directional.js";
export { LossOracle, type LossOracleOptions } from "./oracles.js";
export * as accurateMath from "./accurateMath.js";
export { ACCURATE_TRANSCENDENTALS, logSumExp, rationalTanh, withRationalTanh, NATIVE_TRANSCENDENTALS, transcendentalsFor, type Transcendentals } from "./accurateMath.js";

// Landscapes may not import `stats` directly (README.md#layout), but their samplers need
// the seeded generator and the normal quadrature, and moment estimates are `Estimate`s;
// numerics re-exports them.
export { MeanAccumulator, type Estimate } from "../stats/estimate.js";
export { gaussHermite, type QuadratureRule } from "../stats/gaussHermite.js";
export { Rng, toRng } from "../stats/rng.js";
