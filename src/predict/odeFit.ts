/**
 * Learning curves beyond the radius of the η-series: autonomous-ODE extrapolation of a
 * Taylor polynomial (docs/theory.md#autonomous-ode-fits), with uncertainty bands by resampling.
 *
 * @module
 */
import { InvalidArgumentError, requireInt } from "../errors.js";
import { Rng } from "../stats/rng.js";

/**
 * Which solution an {@link OdeFit} uses.
 *
 * - `"constant"`: `y = c0` (all of `c1..c_deg` are zero);
 * - `"linear"`: `y' = a`, `y = c0 + c1η`;
 * - `"exponential"`: `y' = by + a`, `y = c0 + (c1²/(2c2))(e^{(2c2/c1)η} − 1)`;
 * - `"riccatiReal"`: `y' = cy² + by + a` with two real fixed points (logistic/`coth` type);
 * - `"riccatiDouble"`: Riccati with a double fixed point (rational solution);
 * - `"riccatiComplex"`: Riccati without real fixed points (`tan` type, blows up);
 * - `"polynomial"`: fallback, no autonomous ODE matches (`c1 = 0` but a higher `c_k ≠ 0`).
 */
export type OdeFitForm =
  | "constant"
  | "linear"
  | "exponential"
  | "riccatiReal"
  | "riccatiDouble"
  | "riccatiComplex"
  | "polynomial";

/** Options of {@link odeFit}. */
export interface OdeFitOptions {
  /**
   * Degree of the ODE: the number of Taylor coefficients after `c0` that are matched.
   *
   * @defaultValue `min(3, coeffs.length − 1)`
   */
  readonly degree?: 1 | 2 | 3;
}

/** An autonomous-ODE extrapolation `y'(η) = f(y) = a + b·y + c·y²`, `y(0) = c0`. */
export interface OdeFit {
  /** The requested degree (1, 2 or 3). */
  readonly degree: 1 | 2 | 3;
  /** The solution used; degenerate coefficients give a lower form or the polynomial fallback. */
  readonly form: OdeFitForm;
  /** A one-line human-readable account of the form, including why a degenerate case was taken. */
  readonly description: string;
  /** True for the `"polynomial"` fallback (no autonomous ODE has these Taylor coefficients). */
  readonly fallback: boolean;
  /** The Taylor coefficients `c0..c_degree` that were matched. */
  readonly taylor: readonly number[];
  /** `f(y) = a + b·y + c·y²` (NaN for the polynomial fallback). */
  readonly a: number;
  readonly b: number;
  readonly c: number;
  /** `b² − 4ac = 12(c2² − c1c3)/c1²` for degree 3 (NaN for the fallback). */
  readonly discriminant: number;
  /** Real zeros of `f`, ascending (the equilibria the curve approaches or leaves). */
  readonly fixedPoints: readonly number[];
  /** Whether `y` reaches `±∞` at a finite `η > 0`. */
  readonly blowsUp: boolean;
  /** The first `η > 0` where `|y| → ∞` (`Infinity` if none). */
  readonly blowUpAt: number;
  /** The last `η < 0` where `|y| → ∞` (`−Infinity` if none). */
  readonly blowUpBelow: number;
  /** Sign of `y` as `η ↑ blowUpAt` (`0` when there is no blow-up); it is `−blowUpSign` as `η ↓ blowUpBelow`. */
  readonly blowUpSign: -1 | 0 | 1;
  /**
   * `y(η)` on the interval of existence `(blowUpBelow, blowUpAt)`; NaN outside it (the solution
   * has left to infinity), and NaN for NaN input.
   */
  readonly value: (eta: number) => number;
}

/**
 * Fits the autonomous ODE `y' = f(y)` of the given degree whose solution from `y(0) = c0` has
 * the Taylor coefficients `c0, c1, …, c_deg` (docs/theory.md#autonomous-ode-fits, **corrected**: the `c_k` are
 * Taylor coefficients `y^{(k)}(0)/k!`, not derivatives), and returns the solution.
 *
 * - degree 1, `y' = a`: `a = c1`, `y = c0 + c1η`;
 * - degree 2, `y' = by + a`: `b = 2c2/c1`, `y = c0 + (c1²/(2c2))(e^{(2c2/c1)η} − 1)`;
 * - degree 3, Riccati `y' = cy² + by + a`: `c = (3c1c3 − 2c2²)/c1³`, `b = 2c2/c1 − 2c·c0`,
 *   `a = c1 − b·c0 − c·c0²`, discriminant `b² − 4ac = 12(c2² − c1c3)/c1²`.
 *
 * These follow from `y' = f(y)`, `y'' = f'(y)y'`, `y''' = f''(y)y'² + f'(y)y''` at `η = 0`
 * with `y' = c1`, `y'' = 2c2`, `y''' = 6c3`.
 *
 * ## Degenerate cases (each reported in `form` and `description`)
 * - `c1 = 0`: then `c0` is an equilibrium and every autonomous solution is constant, so no ODE
 *   matches a non-zero `c2` or `c3`: the truncated Taylor polynomial is returned (`"polynomial"`,
 *   `fallback: true`); if all of `c1..c_deg` vanish the exact answer is `"constant"`. The same
 *   fallback is taken if `c1` is so small that `b` or `c` overflows.
 * - degree 2 with `c2 = 0`: `b = 0`, the solution is `"linear"`.
 * - degree 3 with `c = 0` (`3c1c3 = 2c2²`, judged to within the rounding of the products):
 *   the Riccati equation is linear, giving the degree-2 `"exponential"` (or `"linear"` if also
 *   `c2 = 0`).
 * - `b² − 4ac > 0`: fixed points `y± = (−b ± r)/(2c)`, `r = √(b² − 4ac)`, and
 *   `y = y₋ + (y₊ − y₋)/(1 − K e^{rη})`, `K = 1 − (y₊ − y₋)/(c0 − y₋)` (checked: with
 *   `v = y − y₋`, `1/v` solves a linear ODE with rate `c(y₊ − y₋) = r`). The curve tends to a
 *   fixed point, or blows up at `η = ln(1/K)/r` when `0 < K < 1`.
 * - `b² − 4ac = 0` (within rounding): double fixed point, rational solution
 *   `y = c0 + c1η/(1 − (c2/c1)η)`, blowing up at `η = c1/c2` if that is positive.
 * - `b² − 4ac < 0`: no fixed point, tangent solution; it always blows up, at
 *   `η = 2·atan2(ω, f'(c0))/ω` with `ω = √(4ac − b²)`.
 *
 * ## Method
 * With `u = y − c0` the equation is `u' = cu² + βu + c1`, `β = f'(c0) = 2c2/c1`, `u(0) = 0`, and
 * the Riccati flow is linear-fractional: with `A = [[β/2, c1], [−c, −β/2]]`, `A² = (D/4)·I`
 * (`D = β² − 4c·c1`), so `u = c1·S/(cosh(rη/2) − (β/2)S)`, `S = sinh(rη/2)/(r/2)`. This one formula
 * covers every case: `r → 0` gives the rational form, imaginary `r` the tangent form, and
 * `c = 0` the exponential. It is evaluated with `expm1`/`log1p`-style rearrangements (and the
 * product form `r² − β² = −4c·c1` for the near-cancelling coefficient), so degree 3 with tiny `c`
 * agrees with degree 2 to rounding, and large `η` neither overflows nor cancels.
 *
 * ## References
 * - Applications §G of the paper; the Riccati linearisation is classical (e.g. E. L. Ince,
 *   *Ordinary Differential Equations*, 1926, §2.15).
 *
 * @param coeffs - Taylor coefficients `[c0, c1, c2, c3, …]` (at least 2; extra ones are ignored).
 * @throws InvalidArgumentError when fewer than `degree + 1` coefficients are given, one is not
 *   finite, or `degree` is not 1, 2 or 3.
 * @example
 * ```ts
 * const fit = odeFit([1, -1, 1 / 2, -1 / 6]);   // y = e^{−η}
 * fit.form;        // "exponential" (Riccati c = 0)
 * fit.value(2);    // e^{−2}
 * odeFit([0, 1, 0, 1 / 3]).blowUpAt;             // π/2: y = tan η
 * ```
 */
export function odeFit(coeffs: readonly number[], options: OdeFitOptions = {}): OdeFit {
  const where = "odeFit";
  if (!Array.isArray(coeffs) && !(coeffs instanceof Float64Array)) {
    throw new TypeError(`${where}: coeffs must be an array of numbers`);
  }
  const degree = options.degree ?? Math.min(3, coeffs.length - 1);
  if (degree !== 1 && degree !== 2 && degree !== 3) {
    throw new InvalidArgumentError(where, "options.degree", "1, 2 or 3 (with at least degree + 1 coefficients)", degree);
  }
  if (coeffs.length < degree + 1) {
    throw new InvalidArgumentError(where, "coeffs", `of length at least ${degree + 1} (Taylor coefficients c0..c${degree})`, coeffs.length);
  }
  const taylor = Array.from(coeffs).slice(0, degree + 1);
  taylor.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new InvalidArgumentError(where, `coeffs[${i}]`, "a finite number", x);
  });
  return fitChecked(taylor, degree);
}

function fitChecked(taylor: number[], degree: 1 | 2 | 3): OdeFit {
  const c0 = taylor[0];
  const c1 = taylor[1];
  const c2 = degree >= 2 ? taylor[2] : 0;
  const c3 = degree >= 3 ? taylor[3] : 0;
  const base = { degree, taylor };

  if (c1 === 0) {
    if (c2 === 0 && c3 === 0) {
      return {
        ...base,
        form: "constant",
        get description() {
          return `y = c0 = ${c0}: c1 = … = c${degree} = 0 (the equilibrium solution of y' = 0)`;
        },
        fallback: false,
        a: 0,
        b: 0,
        c: 0,
        discriminant: 0,
        fixedPoints: [],
        ...noBlowUp,
        value: (eta) => (Number.isNaN(eta) ? NaN : c0),
      };
    }
    return polynomialFallback(
      base,
      `c1 = 0 with c${c2 !== 0 ? 2 : 3} ≠ 0: c0 would be an equilibrium, so no autonomous ODE matches; using the Taylor polynomial`,
    );
  }

  // u = y − c0 solves u' = c·u² + β·u + c1 with β = f'(c0).
  const beta = (2 * c2) / c1;
  const cNum = 3 * c1 * c3 - 2 * c2 * c2;
  const cRaw = degree === 3 && !isRoundingZero(cNum, 3 * Math.abs(c1 * c3) + 2 * c2 * c2) ? cNum / (c1 * c1 * c1) : 0;
  if (!Number.isFinite(beta) || !Number.isFinite(cRaw)) {
    return polynomialFallback(base, `c1 = ${c1} is so small that the ODE coefficients overflow; using the Taylor polynomial`);
  }
  const c = cRaw;
  const b = beta - 2 * c * c0;
  const a = c1 - b * c0 - c * c0 * c0;

  if (c === 0) {
    const why = degree === 3 ? "Riccati coefficient c = (3c1c3 − 2c2²)/c1³ = 0 reduces to " : "";
    if (beta === 0) {
      const reason = degree === 1 ? "" : degree === 2 ? " (c2 = 0)" : ` (${why}degree 1: c2 = c3 = 0)`;
      return {
        ...base,
        form: "linear",
        get description() {
          return `y' = a = ${c1}: y = c0 + c1·η${reason}`;
        },
        fallback: false,
        a,
        b: 0,
        c: 0,
        discriminant: 0,
        fixedPoints: [],
        ...noBlowUp,
        value: (eta) => c0 + c1 * eta,
      };
    }
    const reason = degree === 3 ? ` (${why}degree 2)` : "";
    const fixedPoint = c0 - c1 / beta;
    return {
      ...base,
      form: "exponential",
      get description() {
        return `y' = b·y + a with b = 2c2/c1 = ${beta}: y = c0 + (c1²/(2c2))(e^{bη} − 1), fixed point ${fixedPoint}${reason}`;
      },
      fallback: false,
      a,
      b,
      c: 0,
      discriminant: b * b,
      fixedPoints: [fixedPoint],
      ...noBlowUp,
      // c1·(e^{βη} − 1)/β = c1·η·φ₁(βη): no loss when β or βη is subnormal
      value: (eta) => c0 + c1 * eta * phi1(beta * eta),
    };
  }

  // Riccati. D = β² − 4c·c1 = 12(c2² − c1c3)/c1² (the same in y and in u).
  const dNum = c2 * c2 - c1 * c3;
  const D = isRoundingZero(dNum, c2 * c2 + Math.abs(c1 * c3)) ? 0 : (12 * dNum) / (c1 * c1);
  const ricc = { ...base, fallback: false, a, b, c, discriminant: D };
  const cc1 = c * c1;

  if (D > 0) {
    const r = Math.sqrt(D);
    // p = (r − β)/r, m = (r + β)/r, p + m = 2, p·m = −4c·c1/r²; the cancelling one via the product.
    const p = beta > 0 ? (-4 * cc1) / (r * (r + beta)) : (r - beta) / r;
    const m = beta > 0 ? (r + beta) / r : (-4 * cc1) / (r * (r - beta));
    const above = p < 0 ? Math.log1p(-2 / p) / r : Infinity;
    const below = m < 0 ? Math.log(-m / p) / r : -Infinity;
    const u = (eta: number): number => {
      const x = 0.5 * r * eta;
      if (Math.abs(x) <= 1) {
        const S = Math.sinh(x) / (0.5 * r);
        return (c1 * S) / (Math.cosh(x) - 0.5 * beta * S);
      }
      if (x > 0) return (c1 * (2 / r) * -Math.expm1(-2 * x)) / (p + m * Math.exp(-2 * x));
      return (c1 * (2 / r) * Math.expm1(2 * x)) / (p * Math.exp(2 * x) + m);
    };
    const fixed = quadraticRoots(c, beta, c1).map((z) => c0 + z);
    const lo = Math.min(...fixed);
    const hi = Math.max(...fixed);
    return {
      ...ricc,
      form: "riccatiReal",
      get description() {
        return (
          `Riccati y' = c·y² + b·y + a (c = ${c}, b = ${b}, a = ${a}) with real fixed points ${lo} and ${hi}: ` +
          `y = y₋ + (y₊ − y₋)/(1 − K·e^{rη}), r = ${r}` +
          (above < Infinity ? `; blows up at η = ${above}` : "")
        );
      },
      fixedPoints: [lo, hi],
      ...blowUp(above, below, c1),
      value: guarded(u, c0, above, below),
    };
  }

  if (D === 0) {
    const fixedPoint = c0 - (2 * c1) / beta; // double root of c·u² + β·u + c1: u = −β/(2c) = −2c1/β
    const above = beta > 0 ? 2 / beta : Infinity;
    const below = beta < 0 ? 2 / beta : -Infinity;
    return {
      ...ricc,
      form: "riccatiDouble",
      get description() {
        return (
          `Riccati y' = c·(y − y*)² with a double fixed point y* = ${fixedPoint}: y = c0 + c1·η/(1 − (c2/c1)·η)` +
          (above < Infinity ? `; blows up at η = ${above}` : "")
        );
      },
      fixedPoints: [fixedPoint],
      ...blowUp(above, below, c1),
      value: guarded((eta) => (c1 * eta) / (1 - 0.5 * beta * eta), c0, above, below),
    };
  }

  const omega = Math.sqrt(-D);
  const angle = Math.atan2(omega, beta); // in (0, π): the first zero of cos x − (β/ω) sin x
  const above = (2 * angle) / omega;
  const below = (2 * (angle - Math.PI)) / omega;
  const u = (eta: number): number => {
    const x = 0.5 * omega * eta;
    const S = Math.sin(x) / (0.5 * omega);
    return (c1 * S) / (Math.cos(x) - 0.5 * beta * S);
  };
  return {
    ...ricc,
    form: "riccatiComplex",
    get description() {
      return (
        `Riccati y' = c·y² + b·y + a (c = ${c}, b = ${b}, a = ${a}) without real fixed points: ` +
        `tangent solution with frequency ω = ${omega}; blows up at η = ${above}`
      );
    },
    fixedPoints: [],
    ...blowUp(above, below, c1),
    value: guarded(u, c0, above, below),
  };
}

const noBlowUp = { blowsUp: false, blowUpAt: Infinity, blowUpBelow: -Infinity, blowUpSign: 0 } as const;

function blowUp(above: number, below: number, c1: number) {
  return {
    blowsUp: above < Infinity,
    blowUpAt: above,
    blowUpBelow: below,
    blowUpSign: above < Infinity ? (Math.sign(c1) as -1 | 1) : (0 as const),
  };
}

/** `c0 + u(η)` inside `(below, above)`, NaN outside. */
function guarded(u: (eta: number) => number, c0: number, above: number, below: number): (eta: number) => number {
  return (eta) => (eta < above && eta > below ? c0 + u(eta) : NaN);
}

function polynomialFallback(base: { degree: 1 | 2 | 3; taylor: number[] }, description: string): OdeFit {
  const t = base.taylor;
  return {
    ...base,
    form: "polynomial",
    description,
    fallback: true,
    a: NaN,
    b: NaN,
    c: NaN,
    discriminant: NaN,
    fixedPoints: [],
    ...noBlowUp,
    value: (eta) => {
      let s = 0;
      for (let k = t.length - 1; k >= 0; k--) s = s * eta + t[k];
      return s;
    },
  };
}

/** `φ₁(x) = (e^x − 1)/x`, `φ₁(0) = 1` (subnormal `x` counts as 0). */
function phi1(x: number): number {
  return Math.abs(x) < 1e-290 ? 1 : Math.expm1(x) / x;
}

/** Whether `x`, a sum of terms of total size `scale`, is zero within their rounding. */
function isRoundingZero(x: number, scale: number): boolean {
  return Math.abs(x) <= 4 * Number.EPSILON * scale;
}

/** Real roots of `c·u² + β·u + c1` (`c ≠ 0`, positive discriminant), without cancellation. */
function quadraticRoots(c: number, beta: number, c1: number): [number, number] {
  const r = Math.sqrt(beta * beta - 4 * c * c1);
  const q = -0.5 * (beta + (beta >= 0 ? r : -r));
  return q === 0 ? [0, 0] : [q / c, c1 / q];
}

/** One η of an {@link OdeFitUncertainty} band. */
export interface OdeFitBandPoint {
  readonly eta: number;
  /** The fit at the given coefficients. */
  readonly central: number;
  /** Mean over the resampled fits that are finite at `eta` (NaN if none). */
  readonly mean: number;
  /** 2.5% quantile over all resampled fits (one that blew up before `eta` counts as `±∞`). */
  readonly lower: number;
  readonly median: number;
  /** 97.5% quantile (same convention). */
  readonly upper: number;
  /** Fraction of resampled fits that blew up before reaching `eta`. */
  readonly blownUpFraction: number;
}

/** The result of {@link odeFitWithUncertainty}. */
export interface OdeFitUncertainty {
  readonly central: OdeFit;
  readonly band: readonly OdeFitBandPoint[];
  readonly samples: number;
  readonly seed: number;
  /** How many resampled fits took each form. */
  readonly formCounts: Readonly<Partial<Record<OdeFitForm, number>>>;
}

/**
 * Uncertainty band of {@link odeFit} (docs/theory.md#autonomous-ode-fits): draws `samples` coefficient vectors
 * `c_k + stderr_k·z_k` (`z_k` independent standard normals from the seeded {@link Rng}), fits
 * each, and reports per `η` the central fit, the mean, and the 2.5%, 50% and 97.5% quantiles.
 *
 * A resampled curve that blows up before `η` is counted as `±∞` (the side it left on) in the
 * quantiles and left out of the mean; `blownUpFraction` says how many. Quantiles interpolate
 * linearly between order statistics (type 7).
 *
 * @param coeffs - Taylor coefficients `[c0, c1, …]`.
 * @param stderrs - their standard errors (same length or at least `degree + 1`; `≥ 0`).
 * @param samples - number of resampled fits (an integer in `[2, 10⁷]`).
 * @param seed - seed of the {@link Rng} (a safe integer).
 * @param etas - where to evaluate the band.
 * @throws InvalidArgumentError for bad coefficients, standard errors, samples, seed or etas.
 * @example
 * ```ts
 * const { band } = odeFitWithUncertainty([1, -1, 0.5, -1 / 6], [0, 0.01, 0.01, 0.01], 1000, 7, [1, 2]);
 * band[1].lower <= Math.exp(-2) && Math.exp(-2) <= band[1].upper; // true
 * ```
 */
export function odeFitWithUncertainty(
  coeffs: readonly number[],
  stderrs: readonly number[],
  samples: number,
  seed: number,
  etas: readonly number[],
  options: OdeFitOptions = {},
): OdeFitUncertainty {
  const where = "odeFitWithUncertainty";
  const central = odeFit(coeffs, options);
  const n = central.degree + 1;
  if (!Array.isArray(stderrs) && !(stderrs instanceof Float64Array)) throw new TypeError(`${where}: stderrs must be an array`);
  if (stderrs.length < n) throw new InvalidArgumentError(where, "stderrs", `of length at least ${n}`, stderrs.length);
  for (let i = 0; i < n; i++) {
    const s = stderrs[i];
    if (typeof s !== "number" || !Number.isFinite(s) || s < 0) {
      throw new InvalidArgumentError(where, `stderrs[${i}]`, "a finite number ≥ 0", s);
    }
  }
  requireInt(samples, where, "samples", 2, 10_000_000);
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) throw new InvalidArgumentError(where, "seed", "a safe integer", seed);
  if (!Array.isArray(etas) && !(etas instanceof Float64Array)) throw new TypeError(`${where}: etas must be an array`);
  etas.forEach((eta, i) => {
    if (typeof eta !== "number" || !Number.isFinite(eta)) throw new InvalidArgumentError(where, `etas[${i}]`, "a finite number", eta);
  });

  const rng = new Rng(seed);
  const values = etas.map(() => new Float64Array(samples));
  const formCounts: Partial<Record<OdeFitForm, number>> = {};
  const drawn = new Array<number>(n);
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < n; k++) drawn[k] = central.taylor[k] + stderrs[k] * rng.normal();
    const fit = fitChecked(drawn.slice(), central.degree);
    formCounts[fit.form] = (formCounts[fit.form] ?? 0) + 1;
    etas.forEach((eta, i) => {
      values[i][s] = signedValue(fit, eta);
    });
  }

  const band = etas.map((eta, i): OdeFitBandPoint => {
    const v = values[i].slice().sort();
    let sum = 0;
    let finite = 0;
    for (const x of v) {
      if (Number.isFinite(x)) {
        sum += x;
        finite++;
      }
    }
    return {
      eta,
      central: central.value(eta),
      mean: finite > 0 ? sum / finite : NaN,
      lower: quantileSorted(v, 0.025),
      median: quantileSorted(v, 0.5),
      upper: quantileSorted(v, 0.975),
      blownUpFraction: (samples - finite) / samples,
    };
  });
  return { central, band, samples, seed, formCounts };
}

/** `fit.value(eta)`, or `±∞` beyond a blow-up (the side the curve left on). */
function signedValue(fit: OdeFit, eta: number): number {
  if (eta >= fit.blowUpAt) return fit.blowUpSign * Infinity;
  if (eta <= fit.blowUpBelow) return -fit.blowUpSign * Infinity;
  return fit.value(eta);
}

/** Type-7 quantile of ascending data that may hold `±∞`. */
function quantileSorted(x: Float64Array, prob: number): number {
  const h = (x.length - 1) * prob;
  const lo = Math.floor(h);
  const frac = h - lo;
  const a = x[lo];
  if (frac === 0 || lo + 1 >= x.length) return a;
  const b = x[lo + 1];
  if (a === b || !Number.isFinite(a)) return a;
  if (!Number.isFinite(b)) return b;
  return a + frac * (b - a);
}
