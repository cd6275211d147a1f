import { Rational } from "./rational.js";

/**
 * Whether an exact rational survives conversion to a float64 number: `"overflow"` when it is
 * beyond ±`Number.MAX_VALUE` (it would become ±Infinity), `"underflow"` when it is non-zero but
 * below the smallest normal float64 `2^−1022` in size (it would become 0, or a subnormal with
 * fewer than 53 significant bits), else `"ok"`.
 *
 * Outputs that give a float next to an exact value use this to say so instead of printing
 * Infinity, `null` or a 0 that a reader would take for a real zero.
 */
export type Float64Fit = "ok" | "overflow" | "underflow";

const MIN_NORMAL = Rational.of(1n, 2n ** 1022n);

/** See {@link Float64Fit}. */
export function float64Fit(r: Rational): Float64Fit {
  if (r.isZero()) return "ok";
  if (!Number.isFinite(r.toNumber())) return "overflow";
  return r.abs().compare(MIN_NORMAL) < 0 ? "underflow" : "ok";
}

/** `r` as a float64 when it fits ({@link float64Fit}), else `null` (never a rounded 0 or Infinity). */
export function float64OrNull(r: Rational): number | null {
  return float64Fit(r) === "ok" ? r.toNumber() : null;
}

/**
 * `r` in decimal scientific notation with `digits` significant digits, rounded half away from
 * zero, computed exactly (bigint), so it is right far beyond the float64 range:
 * `toScientific(Rational.parse("2e400"), 3)` is `"2.00e+400"`; 0 is `"0"`. The form is that of
 * `Number.prototype.toExponential(digits − 1)`, which it equals where the float is exact.
 */
export function toScientific(r: Rational, digits = 12): string {
  if (!Number.isSafeInteger(digits) || digits < 1 || digits > 1000) throw new RangeError(`toScientific: digits must be an integer in [1, 1000], got ${digits}`);
  if (r.isZero()) return "0";
  const sign = r.sign() < 0 ? "-" : "";
  const a = r.num < 0n ? -r.num : r.num;
  const b = r.den;
  /** Whether `a/b ≥ 10^e`. */
  const atLeast = (e: number): boolean => (e >= 0 ? a >= b * 10n ** BigInt(e) : a * 10n ** BigInt(-e) >= b);
  let e = a.toString().length - b.toString().length;
  while (!atLeast(e)) e--;
  while (atLeast(e + 1)) e++;
  const k = digits - 1 - e;
  const num = k >= 0 ? a * 10n ** BigInt(k) : a;
  const den = k >= 0 ? b : b * 10n ** BigInt(-k);
  let q = (2n * num + den) / (2n * den);
  if (q === 10n ** BigInt(digits)) {
    q /= 10n;
    e++;
  }
  const s = q.toString();
  const mantissa = s.length === 1 ? s : `${s[0]}.${s.slice(1)}`;
  return `${sign}${mantissa}e${e >= 0 ? "+" : "-"}${Math.abs(e)}`;
}
