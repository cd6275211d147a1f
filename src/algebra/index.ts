/**
 * The exact-algebra layer: rationals, sparse multivariate polynomials and truncated power
 * series in η. Bigint only; depends on nothing but `../errors.js`.
 */
export { Rational, binomial, factorial, fallingFactorial } from "./rational.js";
export { type Float64Fit, float64Fit, float64OrNull, toScientific } from "./float64Range.js";
export {
  Polynomial,
  PolynomialAccumulator,
  binomialPoly,
  fallingPoly,
  sumOverInterval,
  sumOverRange,
} from "./polynomial.js";
export type { PolynomialTerm } from "./polynomial.js";
export { FLOAT_RING, POLYNOMIAL_RING, RATIONAL_RING, Series } from "./series.js";
export type { Ring } from "./series.js";
