/**
 * float64 `exp`, `expm1`, `log`, `log1p`, `tanh` and `logsumexp` that keep every digit on the
 * `wasm` device.
 *
 * jax-js 0.1.25 evaluates the float64 transcendentals of a wasm kernel through float32 (see the
 * precision facts in `./jax.ts`), while float64 `+ − × ÷`, comparisons, `floor`, `where` and
 * casts are exact. Each function here is built from those exact operations only, in the
 * classic libm way (W. J. Cody and W. Waite, *Software Manual for the Elementary Functions*,
 * 1980; the same scheme as fdlibm's `e_exp.c`, `s_expm1.c`, `e_log.c`, written afresh here):
 *
 * 1. **Argument reduction** that is exact: `x = k·ln2 + r` with `k = round(x/ln2)` and
 *    `r = (x − k·LN2_HI) − k·LN2_LO`, where `LN2_HI` has 21 trailing zero bits, so `k·LN2_HI`
 *    is exact for `|k| < 2^21` and `x − k·LN2_HI` is exact by Sterbenz's lemma; for `log`,
 *    `x = 2^e·m` with `m ∈ [√½, √2)` ({@link frexpBalanced}).
 * 2. **A polynomial on the reduced interval** whose truncation error is far below one ulp:
 *    the Taylor polynomial of `expm1(r)`, `|r| ≤ ln2/2`, to degree 13 (remainder below
 *    `0.347^13/14! ≈ 1.2e−17` relative), and the `atanh` series
 *    `log m = 2 atanh(s) = 2 Σ s^{2j+1}/(2j+1)`, `s = (m−1)/(m+1)`, `|s| ≤ 0.1716`, to `s^23`
 *    (remainder `≈ 1.7e−20` relative).
 * 3. **Reconstruction** by multiplications with exact powers of two. jax-js has neither
 *    `ldexp` nor 64-bit integers, but a float32 power of two is an int32 bit pattern
 *    (`(k + 127)·2^23`), which widens to float64 exactly ({@link pow2Small}); wider ranges
 *    are a product of three such factors applied in an order that rounds once.
 *
 * Everything is elementwise (no table lookups), so under `jit` each function fuses into one
 * kernel with its neighbours; that is what keeps the cost of the LeNet's and the MLP's losses
 * and derivatives within ~1.5× of jax-js's own float32-accurate functions (measured in
 * `imageModelPolicies.ts`).
 *
 * **Derivatives** do not go through the polynomials: each function is evaluated as its own
 * Taylor polynomial about the (gradient-stopped) argument, with coefficients from the accurate
 * value ({@link anchored}), so a `k`-th derivative is the closed form (`e^x/k!`, powers of `1/x`,
 * polynomials in `tanh x`) evaluated at full accuracy.
 *
 * Measured against `Math.*` (test `accurateMath.test.ts`, which prints the worst ulp errors):
 * `exp`, `expm1`, `log`, `log1p` and `tanh` within a few ulp over their whole float64 range.
 * `tanh` and `log1p` keep full relative accuracy near 0 (jax-js's own `tanh` returns 0 for
 * `tanh(1e−9)` on wasm).
 *
 * On float32 (or float16) arrays the exported functions are jax-js's own, which are as accurate
 * as that dtype; so a model written with them can be traced in either dtype.
 *
 * Ownership: every function consumes its argument and returns a new array (the rules of
 * `./jax.ts`). Every literal is a one-element buffer ({@link constant} here), so the functions
 * are exact under `jit` too (see there).
 *
 * @module
 */
import { MAX_DIRECTIONAL_ORDER } from "./directional.js";
import { lax, np, type JaxArray } from "./jax.js";

/**
 * A rank-0 float64 constant that `jit` keeps as an input buffer. jax-js 0.1.25's kernel
 * simplifier reassociates sums and products around *literal* constants (`a + (b + c)` becomes
 * `(a + b) + c` when `c` is a literal, and `(x + 1) − 1` folds to `x`), which is harmless for
 * real numbers and destroys the error-free steps these algorithms rely on (measured: `expm1`
 * lost 8 ulp, the `log1p` correction vanished). A one-element buffer is not a literal.
 */
function constant(like: JaxArray, value: number): JaxArray {
  const data = like.dtype === np.float32 ? Float32Array.of(value) : Float64Array.of(value);
  return np.array(data, { dtype: like.dtype, device: like.device }).reshape([]);
}

/** `ln 2` split: `LN2_HI` has 21 trailing zero bits (fdlibm's `ln2_hi`), `LN2_LO = ln2 − LN2_HI`. */
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e0;

/**
 * Degree of the Taylor polynomial of `expm1(r)`, `|r| ≤ ln2/2`: the remainder relative to
 * `expm1(r) ≈ r` is below `|r|^N/(N+1)! = 0.347^13/14! ≈ 1.2e−17`, a tenth of an ulp.
 */
const EXP_DEGREE = 13;
/** `1/j!` for `j = 0..ACCURATE_DERIVATIVE_ORDER` (and at least `EXP_DEGREE`). */
const INV_FACTORIAL = Array.from({ length: 16 }, (_, j) => {
  let f = 1;
  for (let i = 2; i <= j; i++) f *= i;
  return 1 / f;
});
/**
 * Number of terms `s^{2j+1}/(2j+1)` of the `atanh` series of `log m`, `|s| ≤ 0.1716`: the
 * remainder relative to the first term is below `s^{24}/25 ≈ 1.7e−20`.
 */
const LOG_TERMS = 12;

/** Arguments of `exp` are clamped to this interval; outside it the result is 0 or `Infinity` anyway. */
const EXP_MIN = -746;
const EXP_MAX = 710;

/**
 * `2^k` (float64) for integer-valued `k ∈ [−126, 127]`, built from the bits of a float32:
 * `(k + 127)·2^23` as an int32 is the float32 `2^k`, which widens exactly. Elementwise
 * operations only (no table lookup), so `jit` fuses it with its neighbours. Consumes `k`.
 */
function pow2Small(k: JaxArray): JaxArray {
  const bits = k.add(constant(k, 127)).mul(constant(k, 2 ** 23)).astype(np.int32);
  return lax.bitcastConvertType(bits, np.float32).astype(np.float64);
}

/**
 * Factors `[2^r, 2^{8h}, 2^h]` with `h = trunc(k/9)`, `r = k − 9h ∈ [−8, 8]`, whose product is
 * `2^k`, for integer-valued `k ∈ [−1100, 1100]`. Each factor is a normal number on the same
 * side of 1 as `2^k`, so a value multiplied by them in this order moves monotonically towards
 * the result: nothing overflows or underflows before the last product, which rounds once (also
 * into the subnormal range). Consumes `k`.
 */
function pow2Factors(k: JaxArray): [JaxArray, JaxArray, JaxArray] {
  const h = np.trunc(k.ref.div(constant(k, 9)));
  const r = k.sub(h.ref.mul(constant(h, 9)));
  const p = pow2Small(h);
  const p2 = p.ref.mul(p.ref);
  const p4 = p2.ref.mul(p2);
  return [pow2Small(r), p4.ref.mul(p4), p];
}

/** `x·f₁·f₂·f₃` for the factors of {@link pow2Factors}; consumes everything. */
function scaleBy(x: JaxArray, [f1, f2, f3]: [JaxArray, JaxArray, JaxArray]): JaxArray {
  return x.mul(f1).mul(f2).mul(f3);
}

/** Horner evaluation of `Σ_j coefficients[j]·t^j`; consumes `t`. */
function horner(t: JaxArray, coefficients: readonly number[]): JaxArray {
  let p = constant(t, coefficients[coefficients.length - 1]);
  for (let j = coefficients.length - 2; j >= 0; j--) p = p.mul(t.ref).add(constant(t, coefficients[j]));
  t.dispose();
  return p;
}

/**
 * Cody–Waite reduction `x = k·ln2 + r`, `|r| ≤ ln2/2 (+ tiny)`, and `expm1(r)` by its Taylor
 * polynomial `r·Σ_{j<N} r^j/(j+1)!`. Returns `[k, expm1(r)]` (`k` without gradient); consumes `x`.
 */
function reduceExp(x: JaxArray): [JaxArray, JaxArray] {
  const k = lax.stopGradient(np.floor(x.ref.mul(constant(x, INV_LN2)).add(constant(x, 0.5))));
  const r = x.sub(k.ref.mul(constant(k, LN2_HI))).sub(k.ref.mul(constant(k, LN2_LO)));
  const q = horner(r.ref, INV_FACTORIAL.slice(1, EXP_DEGREE + 1));
  return [k, r.mul(q)];
}

/** `e^x` to a few ulp over the whole float64 range (0 below ≈ −745.1, `Infinity` above ≈ 709.78). */
function expValue(x: JaxArray): JaxArray {
  const [k, em1] = reduceExp(np.clip(x, constant(x, EXP_MIN), constant(x, EXP_MAX)));
  // (1 + expm1(r))·2^k: the scalings are exact until the last, which rounds once.
  return scaleBy(em1.add(constant(k, 1)), pow2Factors(k));
}

/** `e^x − 1` with full relative accuracy near 0 (few ulp everywhere). */
function expm1Value(x: JaxArray): JaxArray {
  // Below −40 the result is −1 to the last bit (e^−40 < ulp(1)/2); above, exp's range.
  const clipped = np.clip(x, constant(x, -40), constant(x, EXP_MAX));
  // (The branch is chosen on the argument: a `where` on a condition computed from `k` picked
  // the wrong branch under jax-js 0.1.25's `jit`.)
  const smallArgument = lax.stopGradient(clipped.ref.less(constant(x, 40)));
  const [k, em1] = reduceExp(clipped);
  // Small k: 2^k·expm1(r) + (2^k − 1), both terms exact or one rounding, no cancellation
  // (fdlibm's s_expm1.c). Large k: 2^k(1 + expm1(r)) − 1, where the −1 is below or near one ulp.
  const t = pow2Small(lax.stopGradient(np.minimum(k.ref, constant(k, 60))));
  const small = t.ref.mul(em1.ref).add(t.sub(constant(k, 1)));
  const large = scaleBy(em1.add(constant(k, 1)), pow2Factors(k)).sub(constant(x, 1));
  return np.where(smallArgument, small, large);
}

/**
 * `[e, m]` with `x = 2^e·m`, `m ∈ [0.70, 1.42]` (`[√½, √2]` up to a float32 rounding), for
 * finite `x > 0` (subnormals included); `e` without gradient, `m = x·2^{−e}` differentiable.
 * Consumes `x`.
 *
 * jax-js has no 64-bit integers to read a float64's exponent from, so: a coarse scale
 * `2^{−c}`, `c` a multiple of 200 from 11 comparisons, brings `y = x·2^{−c}` into float32's
 * normal range, and the exponent of `y` *rounded to float32* is read from its bits, offset as
 * in musl's `logf` (`+ 0x3F800000 − 0x3F3504F3`) so that the mantissa is balanced around 1.
 * The rounding to float32 can move `m` by one float32 ulp past `√2`, which the series of
 * {@link logValue} covers with the same accuracy. Elementwise operations only.
 */
function frexpBalanced(x: JaxArray): [JaxArray, JaxArray] {
  const xs = lax.stopGradient(x.ref);
  let bands = np.zerosLike(xs.ref);
  for (let j = 0; j <= 10; j++) bands = bands.add(xs.ref.greaterEqual(constant(xs, 2 ** (200 * j - 1000))).astype(np.float64));
  const coarse = bands.mul(constant(xs, 200)).sub(constant(xs, 1100)); // y = x·2^−coarse ∈ [2^−100, 2^100)
  const y = scaleBy(xs, pow2Factors(coarse.ref.neg()));
  const bits = lax.bitcastConvertType(y.astype(np.float32), np.int32).astype(np.float64);
  const fine = np.floor(bits.add(constant(bits, 0x3f800000 - 0x3f3504f3)).mul(constant(bits, 2 ** -23))).sub(constant(bits, 127));
  const m = scaleBy(x, pow2Factors(coarse.ref.neg())).mul(pow2Small(fine.ref.neg()));
  return [coarse.add(fine), m];
}

/** `2·atanh(s)` coefficients of `s²`-powers: `log m = s·Σ_j (2/(2j+1))·s^{2j}`. */
const LOG_COEFFICIENTS = Array.from({ length: LOG_TERMS }, (_, j) => 2 / (2 * j + 1));

/**
 * `log x` to a few ulp for finite `x > 0`; `log 0 = −Infinity`, `log(Infinity) = Infinity`, and
 * `NaN` for `x < 0` (as `Math.log`).
 */
function logValue(x: JaxArray): JaxArray {
  // Work on a safe argument (1 where x is not a positive finite number) and patch those at the end.
  const positiveFinite = np.logicalAnd(x.ref.greater(constant(x, 0)), x.ref.less(constant(x, Infinity)));
  const safe = np.where(positiveFinite.ref, x.ref, constant(x, 1));
  const [e, m] = frexpBalanced(safe);
  const f = m.sub(constant(e, 1)); // exact (Sterbenz)
  const s = f.ref.div(f.add(constant(e, 2)));
  const logM = s.ref.mul(horner(s.ref.mul(s), LOG_COEFFICIENTS));
  // e·ln2 + log m: e·LN2_HI is exact, the small parts are added first.
  const value = e.ref.mul(constant(e, LN2_HI)).add(logM.add(e.mul(constant(x, LN2_LO))));
  const special = np.where(x.ref.equal(constant(x, 0)), constant(x, -Infinity), np.where(x.ref.equal(constant(x, Infinity)), x.ref, constant(x, NaN)));
  x.dispose();
  return np.where(positiveFinite, value, special);
}

/**
 * `log(1 + x)` with full relative accuracy near 0: `u = 1 + x` rounded, then
 * `log u − ((u − 1) − x)/u` (the correction of D. Goldberg, "What every computer scientist should
 * know about floating-point arithmetic", 1991, Thm. 4). The correction's tangent is exactly 0,
 * so derivatives are those of `log(1 + x)`.
 */
function log1pValue(x: JaxArray): JaxArray {
  const u = x.ref.add(constant(x, 1));
  // (At u = 0, i.e. x = −1, the correction is 0/0; the result is −Infinity, as Math.log1p.)
  const correction = np.where(u.ref.equal(constant(x, 0)), constant(x, 0), u.ref.sub(constant(x, 1)).sub(x).div(u.ref));
  // u = 1 exactly: log1p(x) = x (|x| < 2^−53) — the correction formula would give 0 − (−x)/1 = x too.
  return logValue(u).sub(correction);
}

/**
 * `tanh x` with full relative accuracy (also for tiny `|x|`): with `a = min(|x|, 20)` and
 * `E = expm1(−2a) = 2^k·expm1(r) + (2^k − 1)` (`k ≤ 0`: both terms exact, one rounding),
 * `tanh a = −E/(E + 2)`, and the sign of `x` restored. Above 20, `tanh = ±1` to the last bit
 * (`1 − tanh 20 ≈ 8e−18 < ulp(1)/2`).
 */
function tanhValue(x: JaxArray): JaxArray {
  const a = np.minimum(np.absolute(x.ref), constant(x, 20));
  const [k, em1] = reduceExp(a.mul(constant(x, -2)));
  const t = pow2Small(k);
  const e = t.ref.mul(em1).add(t.sub(constant(x, 1)));
  const q = e.ref.div(e.add(constant(x, 2))); // −tanh a ≤ 0
  // Sign restored; `x` itself at ±0 (so that tanh(−0) = −0).
  const signed = np.where(lax.stopGradient(x.ref.less(constant(x, 0))), q.ref, constant(x, 0).sub(q));
  return np.where(lax.stopGradient(x.ref.equal(constant(x, 0))), x, signed);
}

/**
 * Derivatives are exact up to this order (a diagram's deepest node: a gradient under
 * {@link MAX_DIRECTIONAL_ORDER} nested directional derivatives); higher derivatives are 0.
 */
export const ACCURATE_DERIVATIVE_ORDER = MAX_DIRECTIONAL_ORDER + 1;

/**
 * `f(x)` as the Taylor polynomial of `f` about `x₀ = x` itself, `Σ_j a_j (x − x₀)^j`, where
 * `x₀` and the coefficients `a_j = f^{(j)}(x₀)/j!` carry no gradient and `x − x₀ = 0` does:
 * the value is `a₀` exactly, and the `j`-th derivative (by any mix of `jvp`/`grad`) is
 * `j!·a_j` for `j ≤ order`, computed from the accurate functions; `coefficients(x₀, order)`
 * returns `a_0..a_order`, where `order` is the number of derivatives being taken
 * ({@link derivativeOrder}).
 *
 * This stands in for a custom derivative rule, which jax-js 0.1.25 lacks. Differentiating
 * through the range reduction and polynomials instead is just as exact, but `jit` expands the
 * fused expression of the nested derivatives as a tree: a third derivative of `exp` took 20 s
 * to compile, against < 1 s here. Where a coefficient is not finite (overflow, `log 0`, `1/x` of a
 * subnormal), it is replaced by 0, so the value is `a₀` and the derivatives are 0. (The
 * guard acts on the coefficients, which carry no gradient: a `where` on the differentiated
 * sum instead made jax-js 0.1.25 leak device buffers in jit-compiled gradients.) Consumes `x`.
 */
function anchored(x: JaxArray, value: (x: JaxArray) => JaxArray, coefficients: (x0: JaxArray, order: number) => JaxArray[]): JaxArray {
  const order = derivativeOrder(x);
  // Not under a derivative: the value itself. (Still differentiable, through the polynomials,
  // should a transformation applied outside a `jit` differentiate it later: first derivatives
  // to ~1e−16, the fourth to ~1e−11 relative, the Taylor remainders of degree 13 − j.)
  if (order === 0) return value(x);
  const a = coefficients(lax.stopGradient(x.ref), order).map((c, j) =>
    lax.stopGradient(j === 0 ? c : np.clip(c, constant(c, -Number.MAX_VALUE), constant(c, Number.MAX_VALUE))),
  );
  const delta = x.sub(lax.stopGradient(x.ref));
  let p = a[a.length - 1];
  for (let j = a.length - 2; j >= 1; j--) p = p.mul(delta.ref).add(a[j]);
  return a[0].add(p.mul(delta));
}

/**
 * `a` itself, as the output of a (trivial) reduction, which `jit` writes to a buffer: the
 * function value (the root of each coefficient) is then read by each derivative kernel instead
 * of being recomputed inside it (measured on a fourth derivative of `tanh`: 32 s to compile
 * without, 1.5 s with). Consumes `a`.
 */
function materialize(a: JaxArray): JaxArray {
  return a.reshape([...a.shape, 1]).sum(-1);
}

/**
 * How many nested forward-mode derivatives (`jvp`, and `grad`, which jax-js builds on `jvp`)
 * are being taken of `x`: the `JVPTracer`s on its chain of primals, looking through `vmap` and
 * partial-evaluation tracers (field names of jax-js 0.1.25's tracers; the derivative tests
 * fail if they change). A function needs Taylor coefficients only up to this order, and the
 * value alone costs ~10× less than all nine.
 */
function derivativeOrder(x: JaxArray): number {
  let order = 0;
  let t: unknown = x;
  for (let guard = 0; guard < 1000 && typeof t === "object" && t !== null; guard++) {
    if ("primal" in t && "tangent" in t) {
      order++;
      t = t.primal;
    } else if ("pval" in t) t = (t.pval as { val?: unknown } | null)?.val;
    else if ("batchDim" in t && "val" in t) t = t.val;
    else break;
  }
  return Math.min(order, ACCURATE_DERIVATIVE_ORDER);
}

/** `[c, c/1!, c/2!, …, c/D!]` (`D = order`) for `c` (consumed), with `c/0!` replaced by `first` when given. */
function overFactorials(c: JaxArray, order: number, first?: JaxArray): JaxArray[] {
  const out = [first ?? c.ref];
  for (let j = 1; j <= order; j++) out.push(c.ref.mul(constant(c, INV_FACTORIAL[j])));
  c.dispose();
  return out;
}

/** `[a₀, r, −r²/2, r³/3, …]` up to `r^order`: the Taylor coefficients of `a₀ + log(1 + r·δ)`; consumes both. */
function logCoefficients(a0: JaxArray, r: JaxArray, order: number): JaxArray[] {
  const out = [a0];
  let power = r.ref;
  for (let j = 1; j <= order; j++) {
    out.push(power.ref.mul(constant(r, (j % 2 === 1 ? 1 : -1) / j)));
    if (j < order) power = power.mul(r.ref);
  }
  power.dispose();
  r.dispose();
  return out;
}

/**
 * Coefficients (in `t`, low to high) of `P_j` with `tanh^{(j)}(x) = P_j(tanh x)`:
 * `P₀ = t`, `P_{j+1} = (1 − t²)·P_j'`.
 */
const TANH_DERIVATIVE_POLYNOMIALS: number[][] = (() => {
  const out = [[0, 1]];
  for (let j = 1; j <= ACCURATE_DERIVATIVE_ORDER; j++) {
    const prev = out[j - 1];
    const derivative = prev.slice(1).map((c, i) => c * (i + 1));
    const next = new Array<number>(derivative.length + 2).fill(0);
    derivative.forEach((c, i) => {
      next[i] += c;
      next[i + 2] -= c;
    });
    out.push(next);
  }
  return out;
})();

/** `e^x` to ≤ 2 ulp over the whole float64 range (0 below ≈ −745.1, `Infinity` above ≈ 709.78). */
export function exp(x: JaxArray): JaxArray {
  if (x.dtype !== np.float64) return np.exp(x);
  return anchored(x, expValue, (x0, order) => overFactorials(materialize(expValue(x0)), order));
}

/** `e^x − 1` with full relative accuracy near 0 (≤ 3 ulp). */
export function expm1(x: JaxArray): JaxArray {
  if (x.dtype !== np.float64) return np.expm1(x);
  return anchored(x, expm1Value, (x0, order) => {
    const em1 = materialize(expm1Value(x0));
    return overFactorials(em1.ref.add(constant(em1, 1)), order, em1);
  });
}

/** `log x` to ≤ 2 ulp for `x > 0`; `log 0 = −Infinity`, `NaN` for `x < 0` (as `Math.log`). */
export function log(x: JaxArray): JaxArray {
  if (x.dtype !== np.float64) return np.log(x);
  // (`1/x₀` of a materialized copy: `reciprocal` applied to the gradient-stopped argument itself
  // leaked a device buffer per second-order derivative under jax-js 0.1.25's `jit`.)
  return anchored(x, logValue, (x0, order) =>
    logCoefficients(materialize(logValue(x0.ref)), materialize(np.reciprocal(materialize(x0))), order),
  );
}

/** `log(1 + x)` with full relative accuracy near 0 (≤ 3 ulp). */
export function log1p(x: JaxArray): JaxArray {
  if (x.dtype !== np.float64) return np.log1p(x);
  return anchored(x, log1pValue, (x0, order) =>
    logCoefficients(materialize(log1pValue(x0.ref)), materialize(np.reciprocal(x0.add(constant(x0, 1)))), order),
  );
}

/** `tanh x` with full relative accuracy, also for tiny `|x|` (≤ 4 ulp). */
export function tanh(x: JaxArray): JaxArray {
  if (x.dtype !== np.float64) return np.tanh(x);
  return anchored(x, tanhValue, (x0, order) => {
    const t = materialize(tanhValue(x0));
    const out = TANH_DERIVATIVE_POLYNOMIALS.slice(0, order + 1).map((poly, j) =>
      j === 0 ? t.ref : horner(t.ref, poly.map((c) => c * INV_FACTORIAL[j])),
    );
    t.dispose();
    return out;
  });
}

/**
 * Numerator (in `x²`, low to high) of the float32 rational `tanh` of {@link rationalTanh}
 * (Eigen's `ptanh_float` minimax fit on `[−7.905, 7.905]`).
 */
const TANH_F32_NUMERATOR = [
  4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16,
];
/** Denominator of {@link rationalTanh}, in `x²`, low to high. */
const TANH_F32_DENOMINATOR = [4.89352518554385e-3, 2.26843463243900e-3, 1.18534705686654e-4, 1.19825839466702e-6];
/** Beyond this `|x|`, `tanh x` rounds to ±1 in float32. */
const TANH_F32_CLAMP = 7.90531110763549805;

/**
 * float32 `tanh` as a rational function of `x` (clamped to ±7.905, where float32 `tanh` is
 * ±1): `x·p(x²)/q(x²)`, ≤ 4e−7 relative error over the whole range, tiny arguments included
 * (test `accurateMath.test.ts`), from `+ × ÷` only, so `jit` fuses it (~4× cheaper than
 * jax-js 0.1.25's float32 `tanh` on wasm, which also loses relative accuracy near 0: ~7e−5).
 * Used where float32 losses are evaluated, not differentiated ({@link withRationalTanh});
 * other dtypes get {@link tanh}. Consumes `x`.
 */
export function rationalTanh(x: JaxArray): JaxArray {
  if (x.dtype !== np.float32) return tanh(x);
  const c = (v: number) => constant(x, v);
  const xc = np.clip(x, c(-TANH_F32_CLAMP), c(TANH_F32_CLAMP));
  const x2 = xc.ref.mul(xc.ref);
  const p = horner(x2.ref, TANH_F32_NUMERATOR);
  const q = horner(x2, TANH_F32_DENOMINATOR);
  return xc.mul(p).div(q);
}

/** The transcendental functions a model is written with; see {@link transcendentalsFor}. */
export interface Transcendentals {
  readonly exp: (x: JaxArray) => JaxArray;
  readonly log: (x: JaxArray) => JaxArray;
  readonly tanh: (x: JaxArray) => JaxArray;
}

/** jax-js's own functions (float32-accurate for float64 on `wasm`). */
export const NATIVE_TRANSCENDENTALS: Transcendentals = Object.freeze({ exp: np.exp, log: np.log, tanh: (x: JaxArray) => np.tanh(x) });
/** This module's accurate functions (jax-js's own on float32 arrays). */
export const ACCURATE_TRANSCENDENTALS: Transcendentals = Object.freeze({ exp, log, tanh });

/** `f` of float32 `x` evaluated in float64 and rounded back (≤ ½ ulp more than `f`'s error). Consumes `x`. */
function viaFloat64(f: (x: JaxArray) => JaxArray, x: JaxArray): JaxArray {
  return f(x.astype(np.float64)).astype(np.float32);
}

/**
 * `math` for a model's float32 *evaluation* (final losses, not differentiated): float32 `tanh`
 * by {@link rationalTanh} (faster and more accurate than jax-js's own), float32 `exp` and `log`
 * by the accurate float64 ones rounded to float32 (jax-js 0.1.25's float32 `log` errs by up to
 * ~1e−6 absolute near 1, which made the LeNet's float32 losses err by ~3e−6; a model calls them
 * once per output, so float64 costs nothing there); other dtypes as `math`.
 */
export function withRationalTanh(math: Transcendentals): Transcendentals {
  const f32 = (x: JaxArray) => x.dtype === np.float32;
  return Object.freeze({
    exp: (x: JaxArray) => (f32(x) ? viaFloat64(exp, x) : math.exp(x)),
    log: (x: JaxArray) => (f32(x) ? viaFloat64(log, x) : math.log(x)),
    tanh: (x: JaxArray) => (f32(x) ? rationalTanh(x) : math.tanh(x)),
  });
}

/**
 * The functions to write a model with under `policy`: this module's accurate ones for float64
 * on `wasm` (where jax-js's own are float32-accurate), jax-js's own elsewhere (float32, where
 * they are as accurate as the dtype, and the `cpu` device, which evaluates them with `Math.*` and
 * so stays an independent reference for these).
 */
export function transcendentalsFor(policy: { readonly dtype: string; readonly device: string }): Transcendentals {
  return policy.dtype === "float64" && policy.device === "wasm" ? ACCURATE_TRANSCENDENTALS : NATIVE_TRANSCENDENTALS;
}

/**
 * `log Σ exp(z)` along `axis`, shifted by the maximum with its gradient stopped (the result does
 * not depend on the shift, so every derivative is that of `logsumexp`); `keepdims` false. With
 * `math` from {@link transcendentalsFor}, jax-js's own `exp`/`log` on the other policies.
 */
export function logSumExp(z: JaxArray, axis: number, math: Transcendentals = ACCURATE_TRANSCENDENTALS): JaxArray {
  const m = lax.stopGradient(z.ref.max(axis, { keepdims: true }));
  const sum = math.exp(z.sub(m.ref)).sum(axis);
  const ax = axis < 0 ? m.ndim + axis : axis;
  return math.log(sum).add(m.reshape(m.shape.filter((_, i) => i !== ax)));
}
