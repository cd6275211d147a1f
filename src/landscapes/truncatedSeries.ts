import { Rational } from "../algebra/rational.js";

/**
 * The arithmetic the direct-perturbation oracle needs from its scalars, so that one
 * implementation runs both in exact {@link Rational} arithmetic (tests, golden checks) and in
 * float64 (a fast `verify`). Deliberately separate from `algebra/series.ts`: the oracle must
 * not share code with the engine it checks.
 */
export interface SeriesField<F> {
  readonly name: string;
  readonly zero: F;
  readonly one: F;
  add(a: F, b: F): F;
  sub(a: F, b: F): F;
  mul(a: F, b: F): F;
  isZero(a: F): boolean;
  /** Embeds an exact rational (for `number`, the one deliberate `toNumber()` of the oracle). */
  fromRational(r: Rational): F;
}

/** Exact arithmetic. */
export const rationalField: SeriesField<Rational> = Object.freeze({
  name: "rational",
  zero: Rational.ZERO,
  one: Rational.ONE,
  add: (a: Rational, b: Rational) => a.add(b),
  sub: (a: Rational, b: Rational) => a.sub(b),
  mul: (a: Rational, b: Rational) => a.mul(b),
  isZero: (a: Rational) => a.isZero(),
  fromRational: (r: Rational) => r,
});

/** IEEE float64 arithmetic. */
export const float64Field: SeriesField<number> = Object.freeze({
  name: "float64",
  zero: 0,
  one: 1,
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  isZero: (a: number) => a === 0,
  fromRational: (r: Rational) => r.toNumber(),
});

/**
 * A power series in `η` truncated after `η^order`: `s[k]` is the coefficient of `η^k`, and
 * the array always has length `order + 1`.
 */
export type TruncatedSeries<F> = F[];

/** The constant series `c`. */
export function constantSeries<F>(field: SeriesField<F>, c: F, order: number): TruncatedSeries<F> {
  const s = new Array<F>(order + 1).fill(field.zero);
  s[0] = c;
  return s;
}

/** `a + b`. */
export function seriesAdd<F>(field: SeriesField<F>, a: TruncatedSeries<F>, b: TruncatedSeries<F>): TruncatedSeries<F> {
  return a.map((x, k) => field.add(x, b[k]));
}

/** `c · a` for a scalar `c`. */
export function seriesScale<F>(field: SeriesField<F>, c: F, a: TruncatedSeries<F>): TruncatedSeries<F> {
  return a.map((x) => (field.isZero(x) ? field.zero : field.mul(c, x)));
}

/**
 * `a + c·η·b`: adds `c·b` shifted up one degree, dropping the `η^{order+1}` term. This is the
 * form every update `θ ← θ − η r g` takes.
 */
export function seriesAddEtaTimes<F>(
  field: SeriesField<F>,
  a: TruncatedSeries<F>,
  c: F,
  b: TruncatedSeries<F>,
): TruncatedSeries<F> {
  return a.map((x, k) => (k === 0 || field.isZero(b[k - 1]) ? x : field.add(x, field.mul(c, b[k - 1]))));
}

/** Truncated Cauchy product `a · b mod η^{order+1}`. */
export function seriesMul<F>(field: SeriesField<F>, a: TruncatedSeries<F>, b: TruncatedSeries<F>): TruncatedSeries<F> {
  const order = a.length - 1;
  const out = new Array<F>(order + 1).fill(field.zero);
  for (let i = 0; i <= order; i++) {
    if (field.isZero(a[i])) continue;
    for (let j = 0; i + j <= order; j++) {
      if (field.isZero(b[j])) continue;
      out[i + j] = field.add(out[i + j], field.mul(a[i], b[j]));
    }
  }
  return out;
}
