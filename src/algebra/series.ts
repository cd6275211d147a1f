import { InvalidArgumentError, requireInt } from "../errors.js";
import { Polynomial } from "./polynomial.js";
import { Rational } from "./rational.js";

/**
 * A commutative ring with unit, given by its operations: the coefficient domain of a
 * {@link Series}.
 *
 * Implementations must satisfy the ring axioms (exactly for exact rings, up to rounding for
 * {@link FLOAT_RING}); `toString` prints one element, with a leading `-` for negative
 * elements and without spaces for single terms (see {@link Series.toString}).
 */
export interface Ring<C> {
  /** The additive identity. */
  readonly zero: C;
  /** The multiplicative identity. */
  readonly one: C;
  /** `a + b`. */
  add(a: C, b: C): C;
  /** `a - b`. */
  sub(a: C, b: C): C;
  /** `a · b` (commutative). */
  mul(a: C, b: C): C;
  /** `-a`. */
  neg(a: C): C;
  /** Whether `a` is the zero element. */
  isZero(a: C): boolean;
  /** Whether `a` and `b` are the same element. */
  equals(a: C, b: C): boolean;
  /** Printed form of one element (see {@link Series.toString} for the conventions). */
  toString(a: C): string;
}

/** The field ℚ of exact rationals ({@link Rational}) as a {@link Ring}. */
export const RATIONAL_RING: Ring<Rational> = Object.freeze({
  zero: Rational.ZERO,
  one: Rational.ONE,
  add: (a: Rational, b: Rational) => a.add(b),
  sub: (a: Rational, b: Rational) => a.sub(b),
  mul: (a: Rational, b: Rational) => a.mul(b),
  neg: (a: Rational) => a.neg(),
  isZero: (a: Rational) => a.isZero(),
  equals: (a: Rational, b: Rational) => a.equals(b),
  toString: (a: Rational) => a.toString(),
});

/** The ring ℚ[vars] of exact multivariate polynomials ({@link Polynomial}) as a {@link Ring}. */
export const POLYNOMIAL_RING: Ring<Polynomial> = Object.freeze({
  zero: Polynomial.ZERO,
  one: Polynomial.ONE,
  add: (a: Polynomial, b: Polynomial) => a.add(b),
  sub: (a: Polynomial, b: Polynomial) => a.sub(b),
  mul: (a: Polynomial, b: Polynomial) => a.mul(b),
  neg: (a: Polynomial) => a.neg(),
  isZero: (a: Polynomial) => a.isZero(),
  equals: (a: Polynomial, b: Polynomial) => a.equals(b),
  toString: (a: Polynomial) => a.toString(),
});

/**
 * IEEE-754 doubles as a {@link Ring} (for numeric predictions, not for exact work):
 * `equals` is `===` and `isZero` is `=== 0`, so NaN equals nothing and propagates.
 */
export const FLOAT_RING: Ring<number> = Object.freeze({
  zero: 0,
  one: 1,
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  neg: (a: number) => -a,
  isZero: (a: number) => a === 0,
  equals: (a: number, b: number) => a === b,
  toString: (a: number) => String(a),
});

/** Largest truncation order accepted (keeps coefficient arrays small). */
const MAX_ORDER = 1_000_000;

/**
 * An immutable power series in the learning rate η, truncated after degree `order`:
 * `Σ_{k=0}^{order} c_k η^k + O(η^{order+1})`, with coefficients in a {@link Ring} `C`
 * (`Rational`, `Polynomial` in `T`, `N`, … or `number`).
 *
 * Binary operations require the same ring object and return a series of the smaller of the
 * two orders (the product of `O(η^{m+1})` and `O(η^{n+1})` data is only known to
 * `O(η^{min(m,n)+1})`).
 *
 * @example
 * ```ts
 * const s = Series.of(RATIONAL_RING, [Rational.ONE, Rational.int(-3), Rational.of(1, 2)], 3);
 * s.toString(); // "1 - 3*η + 1/2*η^2 + O(η^4)"
 * ```
 */
export class Series<C> {
  private constructor(
    /** The coefficient ring. */
    readonly ring: Ring<C>,
    private readonly coeffs: readonly C[],
    /** The truncation order `d`: coefficients of `η^0 … η^d` are kept. */
    readonly order: number,
  ) {
    Object.freeze(this);
  }

  /**
   * `Σ_k coeffs[k] η^k + O(η^{order+1})`: coefficients beyond `order` are dropped, missing
   * ones are zero.
   * @throws InvalidArgumentError if `order` is not an integer in `[0, 1000000]`.
   */
  static of<C>(ring: Ring<C>, coeffs: readonly C[], order: number): Series<C> {
    requireInt(order, "Series.of", "order", 0, MAX_ORDER);
    if (!Array.isArray(coeffs)) throw new InvalidArgumentError("Series.of", "coeffs", "an array", coeffs);
    const c: C[] = new Array<C>(order + 1);
    for (let k = 0; k <= order; k++) c[k] = k < coeffs.length ? coeffs[k] : ring.zero;
    return new Series(ring, c, order);
  }

  /**
   * The constant series `c + O(η^{order+1})`.
   * @throws InvalidArgumentError if `order` is not an integer in `[0, 1000000]`.
   */
  static constant<C>(ring: Ring<C>, c: C, order: number): Series<C> {
    return Series.of(ring, [c], order);
  }

  /**
   * The series `η + O(η^{order+1})` (just `O(η)` when `order` is 0).
   * @throws InvalidArgumentError if `order` is not an integer in `[0, 1000000]`.
   */
  static eta<C>(ring: Ring<C>, order: number): Series<C> {
    return Series.of(ring, [ring.zero, ring.one], order);
  }

  /**
   * `this + o`.
   * @throws InvalidArgumentError if `o` is over a different ring.
   */
  add(o: Series<C>): Series<C> {
    this.checkRing(o, "Series.add");
    const d = Math.min(this.order, o.order);
    const c: C[] = new Array<C>(d + 1);
    for (let k = 0; k <= d; k++) c[k] = this.ring.add(this.coeffs[k], o.coeffs[k]);
    return new Series(this.ring, c, d);
  }

  /**
   * `this - o`.
   * @throws InvalidArgumentError if `o` is over a different ring.
   */
  sub(o: Series<C>): Series<C> {
    this.checkRing(o, "Series.sub");
    const d = Math.min(this.order, o.order);
    const c: C[] = new Array<C>(d + 1);
    for (let k = 0; k <= d; k++) c[k] = this.ring.sub(this.coeffs[k], o.coeffs[k]);
    return new Series(this.ring, c, d);
  }

  /** `-this`. */
  neg(): Series<C> {
    return new Series(this.ring, this.coeffs.map((a) => this.ring.neg(a)), this.order);
  }

  /**
   * The truncated Cauchy product: `(a·b)_k = Σ_{i+j=k} a_i b_j` for `k ≤ min(orders)`.
   * @throws InvalidArgumentError if `o` is over a different ring.
   */
  mul(o: Series<C>): Series<C> {
    this.checkRing(o, "Series.mul");
    const R = this.ring;
    const d = Math.min(this.order, o.order);
    const c: C[] = new Array<C>(d + 1).fill(R.zero);
    for (let i = 0; i <= d; i++) {
      const a = this.coeffs[i];
      if (R.isZero(a)) continue;
      for (let j = 0; i + j <= d; j++) {
        const b = o.coeffs[j];
        if (!R.isZero(b)) c[i + j] = R.add(c[i + j], R.mul(a, b));
      }
    }
    return new Series(R, c, d);
  }

  /** `c · this` (every coefficient multiplied by `c`). */
  scale(c: C): Series<C> {
    return new Series(this.ring, this.coeffs.map((a) => this.ring.mul(c, a)), this.order);
  }

  /**
   * `this^k` (truncated; `this^0 = 1`).
   * @throws InvalidArgumentError if `k` is not an integer in `[0, 1000000]`.
   */
  pow(k: number): Series<C> {
    requireInt(k, "Series.pow", "k", 0, MAX_ORDER);
    let result = Series.constant(this.ring, this.ring.one, this.order);
    let base: Series<C> = this;
    for (let n = k; n > 0; n >>>= 1) {
      if (n & 1) result = result.mul(base);
      if (n > 1) base = base.mul(base);
    }
    return result;
  }

  /**
   * The same series truncated at a lower (or equal) order.
   * @throws InvalidArgumentError if `order` is not an integer in `[0, this.order]`.
   */
  truncate(order: number): Series<C> {
    requireInt(order, "Series.truncate", "order", 0, this.order);
    return order === this.order ? this : new Series(this.ring, this.coeffs.slice(0, order + 1), order);
  }

  /**
   * The coefficient of `η^k`.
   * @throws InvalidArgumentError if `k` is not an integer in `[0, order]` (coefficients
   * beyond the order are unknown, not zero).
   */
  coefficient(k: number): C {
    requireInt(k, "Series.coefficient", "k", 0, this.order);
    return this.coeffs[k];
  }

  /** The coefficients of `η^0 … η^order` (a fresh array, of length `order + 1`). */
  coefficients(): C[] {
    return [...this.coeffs];
  }

  /**
   * The truncated sum `Σ_{k=0}^{order} c_k x^k` (Horner's rule), e.g. at η = 1/10 for a
   * rational series or at η = 0.1 for a float series; the `O(η^{order+1})` tail is dropped.
   */
  evaluate(x: C): C {
    const R = this.ring;
    let acc = R.zero;
    for (let k = this.order; k >= 0; k--) acc = R.add(R.mul(acc, x), this.coeffs[k]);
    return acc;
  }

  /**
   * Maps every coefficient into another ring, e.g. a `Series<Polynomial>` in `T` to a
   * `Series<Rational>` with `(p) => p.evaluate({ T })`; `f` must be a ring homomorphism
   * for the result to mean the same series.
   */
  map<D>(ring: Ring<D>, f: (c: C, k: number) => D): Series<D> {
    return new Series(ring, this.coeffs.map(f), this.order);
  }

  /**
   * Whether both series are over the same ring, have the same order and equal
   * coefficients.
   */
  equals(o: Series<C>): boolean {
    if (this.ring !== o.ring || this.order !== o.order) return false;
    for (let k = 0; k <= this.order; k++) if (!this.ring.equals(this.coeffs[k], o.coeffs[k])) return false;
    return true;
  }

  /**
   * Human-readable text with ascending powers, e.g. `"1 - 3*η + 1/2*η^2 + O(η^4)"`;
   * coefficients with several terms are parenthesised: `"(T - 1)*η + O(η^2)"`.
   */
  toString(): string {
    const R = this.ring;
    let s = "";
    for (let k = 0; k <= this.order; k++) {
      const c = this.coeffs[k];
      if (R.isZero(c)) continue;
      const power = k === 0 ? "" : k === 1 ? "η" : `η^${k}`;
      let text = R.toString(c);
      let negative = false;
      if (!/\s/.test(text) && text.startsWith("-")) {
        negative = true;
        text = text.slice(1);
      } else if (/\s/.test(text) && k > 0) {
        text = `(${text})`;
      }
      const body = k === 0 ? text : text === "1" ? power : `${text}*${power}`;
      if (s === "") s = negative ? `-${body}` : body;
      else s += negative ? ` - ${body}` : ` + ${body}`;
    }
    const tail = `O(η${this.order === 0 ? "" : `^${this.order + 1}`})`;
    return s === "" ? tail : `${s} + ${tail}`;
  }

  private checkRing(o: Series<C>, where: string): void {
    if (!(o instanceof Series) || o.ring !== this.ring) {
      throw new InvalidArgumentError(where, "o", "a Series over the same ring", o instanceof Series ? o.toString() : o);
    }
  }
}
