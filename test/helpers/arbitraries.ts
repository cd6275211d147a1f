/**
 * Shared fast-check arbitraries for property tests. Add new ones here (one section per
 * layer) rather than in individual test files.
 */
import fc from "fast-check";
import { Polynomial } from "../../src/algebra/polynomial.js";
import { Rational } from "../../src/algebra/rational.js";

// ---------------------------------------------------------------- algebra

/** Options for {@link arbRational}. */
export interface ArbRationalOptions {
  /** Largest absolute value of numerator and denominator. @defaultValue 10n ** 6n */
  max?: bigint;
}

/**
 * Rationals `p/q` with `|p| ≤ max`, `1 ≤ q ≤ max`, biased towards small values (0, ±1,
 * integers) so that cancellations happen often.
 */
export function arbRational(options: ArbRationalOptions = {}): fc.Arbitrary<Rational> {
  const max = options.max ?? 10n ** 6n;
  const general = fc
    .tuple(fc.bigInt({ min: -max, max }), fc.bigInt({ min: 1n, max }))
    .map(([p, q]) => Rational.of(p, q));
  const small = fc
    .tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: 1, max: 6 }))
    .map(([p, q]) => Rational.of(p, q));
  return fc.oneof(
    { arbitrary: general, weight: 3 },
    { arbitrary: small, weight: 3 },
    { arbitrary: fc.constantFrom(Rational.ZERO, Rational.ONE, Rational.MINUS_ONE), weight: 1 },
  );
}

/** A nonzero {@link arbRational}. */
export function arbNonzeroRational(options: ArbRationalOptions = {}): fc.Arbitrary<Rational> {
  return arbRational(options).filter((r) => !r.isZero());
}

/** Options for {@link arbPolynomial}. */
export interface ArbPolynomialOptions {
  /** Variable names to draw from. @defaultValue ["N", "T", "b"] */
  variables?: readonly string[];
  /** Largest exponent of one variable in one term. @defaultValue 3 */
  maxExponent?: number;
  /** Largest number of terms (before merging equal monomials). @defaultValue 5 */
  maxTerms?: number;
  /** Bound on coefficient numerators/denominators. @defaultValue 10n ** 4n */
  maxCoefficient?: bigint;
}

/** Sparse polynomials over a few variables with rational coefficients (zero included). */
export function arbPolynomial(options: ArbPolynomialOptions = {}): fc.Arbitrary<Polynomial> {
  const variables = options.variables ?? ["N", "T", "b"];
  const maxExponent = options.maxExponent ?? 3;
  const maxTerms = options.maxTerms ?? 5;
  const coef = arbRational({ max: options.maxCoefficient ?? 10n ** 4n });
  const powers = fc.record(
    Object.fromEntries(variables.map((v) => [v, fc.integer({ min: 0, max: maxExponent })])) as Record<
      string,
      fc.Arbitrary<number>
    >,
  );
  return fc
    .array(fc.record({ coef, powers }), { maxLength: maxTerms })
    .map((terms) => Polynomial.fromTerms(terms));
}
