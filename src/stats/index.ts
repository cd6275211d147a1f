/**
 * Statistics without dependencies: Monte-Carlo estimates, a seeded RNG, normal quadrature.
 *
 * @module
 */
export {
  confidenceInterval95,
  estimateMean,
  independentDifference,
  MeanAccumulator,
  pairedDifference,
  Z_95,
  zScore,
  type Estimate,
} from "./estimate.js";
export { gaussHermite, MAX_GAUSS_HERMITE_NODES, type QuadratureRule } from "./gaussHermite.js";
export { Rng, toRng } from "./rng.js";
