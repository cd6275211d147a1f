/**
 * The standard normal distribution function and its inverse in float64, for coupling
 * simulators by quantiles (common random numbers).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/**
 * `erfc(x) = 1 − erf(x)` to about 1e−15 relative accuracy.
 *
 * ## Method
 * W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969): `|x| < 0.5` by the
 * erf series form, `0.5 ≤ |x| < 4` and `|x| ≥ 4` by the two erfc forms with `exp(−x²)`
 * split as `exp(−y²)·exp(−(x−y)(x+y))` (`y` = `x` rounded to 1/16) to avoid cancellation.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) return 1 - erfSmall(x);
  let r: number;
  if (ax < 4) {
    const P = [3.004592610201616005e2, 4.519189537118729422e2, 3.393208167343436870e2, 1.529892850469404039e2, 4.316222722205673530e1, 7.211758250883093659, 5.641955174789739711e-1, -1.368648573827167067e-7];
    const Q = [3.004592609569832933e2, 7.909509253278980272e2, 9.313540948506096211e2, 6.389802644656311665e2, 2.775854447439876434e2, 7.700015293522947295e1, 1.278272731962942351e1, 1];
    let num = P[7];
    let den = Q[7];
    for (let i = 6; i >= 0; i--) {
      num = num * ax + P[i];
      den = den * ax + Q[i];
    }
    r = num / den;
  } else {
    const P = [-2.99610707703542174e-3, -4.94730910623250734e-2, -2.26956593539686930e-1, -2.78661308609647788e-1, -2.23192459734184686e-2];
    const Q = [1.06209230528467918e-2, 1.91308926107829841e-1, 1.05167510706793207, 1.98733201817135256, 1];
    const z = 1 / (ax * ax);
    let num = P[4];
    let den = Q[4];
    for (let i = 3; i >= 0; i--) {
      num = num * z + P[i];
      den = den * z + Q[i];
    }
    r = (1 / Math.sqrt(Math.PI) + (z * num) / den) / ax;
  }
  const y = Math.floor(ax * 16) / 16;
  const e = Math.exp(-y * y) * Math.exp(-(ax - y) * (ax + y)) * r;
  return x < 0 ? 2 - e : e;
}

/** `erf(x)`, accurate near 0 (no `1 − erfc` cancellation). */
export function erf(x: number): number {
  return Math.abs(x) < 0.5 ? erfSmall(x) : 1 - erfc(x);
}

function erfSmall(x: number): number {
  const P = [3.209377589138469473e3, 3.774852376853020208e2, 1.138641541510501556e2, 3.161123743870565597, 1.857777061846031527e-1];
  const Q = [2.844236833439170622e3, 1.282616526077372276e3, 2.440246379344441733e2, 2.360129095234412093e1, 1];
  const z = x * x;
  let num = P[4];
  let den = Q[4];
  for (let i = 3; i >= 0; i--) {
    num = num * z + P[i];
    den = den * z + Q[i];
  }
  return (x * num) / den;
}

/** `Φ(x) = P(Z ≤ x)` for `Z ~ N(0, 1)`, accurate in both tails (`erfc(−x/√2)/2`). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/**
 * `Φ⁻¹(p)`: the standard normal quantile, `p ∈ (0, 1)`; `±∞` at `p = 1`, `0`.
 *
 * ## Method
 * P. J. Acklam's rational approximation (relative error 1.15e−9), then one Halley step with
 * {@link erfc}, which brings it to about machine precision.
 *
 * @throws InvalidArgumentError unless `0 ≤ p ≤ 1`.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new InvalidArgumentError("normalQuantile", "p", "in [0, 1]", p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  return p > 0.5 ? -lowerQuantile(1 - p) : lowerQuantile(p);
}

/**
 * `Φ⁻¹(p)` for `p ≤ ½` given as `p` directly, and `−Φ⁻¹(q)` for an upper-tail probability `q`
 * (so `1 − q` is never formed); exported for callers that know the tail they are in.
 */
export function lowerQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // Halley refinement: e = Φ(x) − p, u = e·√(2π)·exp(x²/2).
  const e = 0.5 * erfc(-x * Math.SQRT1_2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
