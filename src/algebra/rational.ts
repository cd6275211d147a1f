import { DivisionByZeroError, InvalidArgumentError } from "../errors.js";

/**
 * An exact rational number `num/den` with bigint parts.
 *
 * Invariants (established by {@link Rational.of}, never by callers): `den > 0`,
 * `gcd(|num|, den) = 1`, zero is `0/1`. Instances are frozen, so they may be shared and
 * compared with {@link Rational.equals}; `toString()` is canonical and safe as a map key.
 */
export class Rational {
  /** The rational 0 (`0/1`). */
  static readonly ZERO = new Rational(0n, 1n);
  /** The rational 1. */
  static readonly ONE = new Rational(1n, 1n);
  /** The rational -1. */
  static readonly MINUS_ONE = new Rational(-1n, 1n);

  private constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {
    Object.freeze(this);
  }

  /**
   * `n/d` in lowest terms.
   * @throws DivisionByZeroError if `d` is 0.
   * @throws InvalidArgumentError if `n` or `d` is a number that is not a safe integer.
   */
  static of(n: bigint | number, d: bigint | number = 1n): Rational {
    const p = toBigInt(n, "Rational.of", "numerator");
    const q = toBigInt(d, "Rational.of", "denominator");
    if (q === 0n) throw new DivisionByZeroError("Rational.of", `${p}/0`);
    if (q === 1n) return p === 0n ? Rational.ZERO : new Rational(p, 1n);
    const g = gcd(p < 0n ? -p : p, q < 0n ? -q : q);
    const s = q < 0n ? -1n : 1n;
    return new Rational((s * p) / g, (s * q) / g);
  }

  /**
   * The integer `n` as a rational (`n/1`).
   * @throws InvalidArgumentError if `n` is a number that is not a safe integer.
   */
  static int(n: bigint | number): Rational {
    return Rational.of(n, 1n);
  }

  /**
   * Parses the wire format used in JSON and golden files: `"-3/4"`, `"5"` (the inverse of
   * {@link Rational.toString}; surrounding whitespace is allowed).
   * @throws InvalidArgumentError if `text` is not of the form `-?p(/q)?` with decimal digits.
   * @throws DivisionByZeroError if `q` is 0.
   */
  static parse(text: string): Rational {
    const m = /^\s*(-?\d+)(?:\/(\d+))?\s*$/.exec(text);
    if (m === null) throw new InvalidArgumentError("Rational.parse", "text", 'a string like "-3/4"', text);
    return Rational.of(BigInt(m[1]), m[2] === undefined ? 1n : BigInt(m[2]));
  }

  /**
   * Parses an exact decimal (`"0.9"` is 9/10, `"-1.25e-2"` is -1/80) or a fraction `"p/q"`.
   * Decimal flag values are read this way so that `--momentum 0.9` means exactly 9/10.
   * Accepted: an optional sign, digits with an optional `.` fraction (at least one digit in
   * all), an optional exponent `e±k` with `|k| ≤ 10000`; or `p/q`.
   * @throws InvalidArgumentError on any other text, or an exponent above 10000 in size.
   * @throws DivisionByZeroError for `p/0`.
   */
  static parseDecimal(text: string): Rational {
    const frac = /^\s*(-?\d+)\/(\d+)\s*$/.exec(text);
    if (frac !== null) return Rational.parse(text);
    const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (m === null || (m[2] === "" && (m[3] === undefined || m[3] === ""))) {
      throw new InvalidArgumentError("Rational.parseDecimal", "text", 'a decimal like "0.9" or a fraction like "9/10"', text);
    }
    const sign = m[1] === "-" ? -1n : 1n;
    const intPart = m[2] === "" ? "0" : m[2];
    const fracPart = m[3] ?? "";
    const exp = m[4] === undefined ? 0 : Number(m[4]);
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) {
      throw new InvalidArgumentError("Rational.parseDecimal", "exponent", "at most 10000 in size", text);
    }
    let num = sign * BigInt(intPart + fracPart);
    let den = 10n ** BigInt(fracPart.length);
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
    return Rational.of(num, den);
  }

  /** `this + o`. */
  add(o: Rational): Rational {
    if (this.den === 1n && o.den === 1n) return Rational.of(this.num + o.num);
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  /** `this - o`. */
  sub(o: Rational): Rational {
    return this.add(o.neg());
  }
  /** `this · o`. */
  mul(o: Rational): Rational {
    if (this.den === 1n && o.den === 1n) return Rational.of(this.num * o.num);
    return Rational.of(this.num * o.num, this.den * o.den);
  }
  /**
   * `this / o`.
   * @throws DivisionByZeroError if `o` is 0.
   */
  div(o: Rational): Rational {
    if (o.num === 0n) throw new DivisionByZeroError("Rational.div", `${this} / 0`);
    return Rational.of(this.num * o.den, this.den * o.num);
  }
  /** `-this`. */
  neg(): Rational {
    return this.num === 0n ? this : new Rational(-this.num, this.den); // already reduced
  }
  /**
   * `1 / this`.
   * @throws DivisionByZeroError if `this` is 0.
   */
  inv(): Rational {
    if (this.num === 0n) throw new DivisionByZeroError("Rational.inv", "1 / 0");
    return Rational.of(this.den, this.num);
  }
  /**
   * `this^k` for an integer `k` (negative powers invert; `0^0 = 1`).
   * @throws InvalidArgumentError if `k` is not an integer.
   * @throws DivisionByZeroError if `this` is 0 and `k < 0`.
   */
  pow(k: number): Rational {
    if (!Number.isInteger(k)) throw new InvalidArgumentError("Rational.pow", "k", "an integer", k);
    if (k < 0) return this.inv().pow(-k);
    return Rational.of(this.num ** BigInt(k), this.den ** BigInt(k));
  }
  /** Whether `this = 0`. */
  isZero(): boolean {
    return this.num === 0n;
  }
  /** Whether the denominator is 1. */
  isInteger(): boolean {
    return this.den === 1n;
  }
  /** The sign: -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }
  /** `|this|`. */
  abs(): Rational {
    return this.num < 0n ? this.neg() : this;
  }
  /** Exact equality (parts are canonical, so this compares them). */
  equals(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }
  /** The order of `this` and `o`: `sign(this - o)`. */
  compare(o: Rational): -1 | 0 | 1 {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  /**
   * The only lossy exit from exact arithmetic; grep for it at layer boundaries.
   * Scales huge parts first so that the result is correctly rounded to within 1 ulp-ish.
   */
  toNumber(): number {
    const n = Number(this.num);
    const d = Number(this.den);
    if (Number.isFinite(n) && Number.isFinite(d) && Math.abs(n) < 2 ** 53 && d < 2 ** 53) return n / d;
    // Keep 64 significant bits of the quotient.
    const shift = BigInt(Math.max(0, bitLength(this.den) - bitLength(this.num < 0n ? -this.num : this.num) + 64));
    const q = (this.num << shift) / this.den;
    // 2 ** shift overflows to Infinity for shift > 1023, so scale down in safe steps.
    let x = Number(q);
    for (let s = Number(shift); s > 0; s -= 1000) x /= 2 ** Math.min(s, 1000);
    return x;
  }
  /** Canonical text `"p/q"`, or `"p"` for integers (safe as a map key). */
  toString(): string {
    return this.den === 1n ? `${this.num}` : `${this.num}/${this.den}`;
  }
  /** The JSON wire format: {@link Rational.toString}. */
  toJSON(): string {
    return this.toString();
  }
}

/** Binomial coefficient `C(n, k)` as a bigint (0 when `k < 0` or `k > n`). */
export function binomial(n: bigint | number, k: number): bigint {
  const nn = BigInt(n);
  if (k < 0 || BigInt(k) > nn) return 0n;
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * (nn - BigInt(i))) / BigInt(i + 1);
  return r;
}

/** Falling factorial `n (n-1) … (n-k+1)` as a bigint. */
export function fallingFactorial(n: bigint | number, k: number): bigint {
  const nn = BigInt(n);
  let r = 1n;
  for (let i = 0; i < k; i++) r *= nn - BigInt(i);
  return r;
}

/** `k!` as a bigint. */
export function factorial(k: number): bigint {
  let r = 1n;
  for (let i = 2; i <= k; i++) r *= BigInt(i);
  return r;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

function toBigInt(x: bigint | number, where: string, arg: string): bigint {
  if (typeof x === "bigint") return x;
  if (!Number.isSafeInteger(x)) throw new InvalidArgumentError(where, arg, "a safe integer or bigint", x);
  return BigInt(x);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}
