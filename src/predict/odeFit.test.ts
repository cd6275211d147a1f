import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { InvalidArgumentError } from "../errors.js";
import { type OdeFit, odeFit, odeFitWithUncertainty } from "./odeFit.js";

// ---------------------------------------------------------------- independent checks (tests only)

const f = (fit: OdeFit) => (y: number) => fit.a + fit.b * y + fit.c * y * y;

/** Classical RK4 for the scalar autonomous ODE `y' = g(y)`. */
function rk4(g: (y: number) => number, y0: number, eta: number, steps: number): number {
  const h = eta / steps;
  let y = y0;
  for (let s = 0; s < steps; s++) {
    const k1 = g(y);
    const k2 = g(y + 0.5 * h * k1);
    const k3 = g(y + 0.5 * h * k2);
    const k4 = g(y + h * k3);
    y += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return y;
}

/** `y'(η)` by the fourth-order central difference. */
function derivative(y: (eta: number) => number, eta: number, h: number): number {
  return (-y(eta + 2 * h) + 8 * y(eta + h) - 8 * y(eta - h) + y(eta - 2 * h)) / (12 * h);
}

/**
 * Taylor coefficients of `y` at 0 by polynomial interpolation at `n` Chebyshev nodes of
 * `[−h, h]` (Vandermonde in `t = η/h`, Gaussian elimination with partial pivoting).
 */
function taylorByInterpolation(y: (eta: number) => number, h: number, n = 12): number[] {
  const t = Array.from({ length: n }, (_, j) => Math.cos((Math.PI * (j + 0.5)) / n));
  const M = t.map((tj) => [...Array.from({ length: n }, (_, k) => tj ** k), y(h * tj)]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[piv][col])) piv = r;
    [M[col], M[piv]] = [M[piv], M[col]];
    for (let r = col + 1; r < n; r++) {
      const m = M[r][col] / M[col][col];
      for (let c = col; c <= n; c++) M[r][c] -= m * M[col][c];
    }
  }
  const a = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let c = r + 1; c < n; c++) s -= M[r][c] * a[c];
    a[r] = s / M[r][r];
  }
  return a.map((ak, k) => ak / h ** k);
}

/** A length scale of η below which the fit is analytic: `1/max(|f'(c0)|, √|D|)`. */
function radius(fit: OdeFit): number {
  const beta = fit.b + 2 * fit.c * fit.taylor[0];
  const rate = Math.max(Math.abs(beta), Math.sqrt(Math.abs(fit.discriminant)));
  return Math.min(1 / rate, 10);
}

/** Checks every defining property of an ODE fit against the coefficients it was given. */
function checkFit(fit: OdeFit, coeffs: readonly number[]): void {
  const [c0, c1, c2 = 0, c3 = 0] = coeffs;
  const g = f(fit);
  const label = `${fit.form}: [${coeffs.join(", ")}]`;
  const scaleY = Math.abs(c0) + Math.abs(c1) * radius(fit) + 1e-300;
  // y(0) = c0, and the Taylor coefficients implied by f: y' = f, y'' = f'f, y''' = f''f² + f'²f.
  expect(fit.value(0), label).toBeAllclose(c0, { rtol: 1e-14, atol: 1e-15 * scaleY });
  const fp = fit.b + 2 * fit.c * c0;
  const fpp = 2 * fit.c;
  const s1 = Math.abs(fit.a) + Math.abs(fit.b * c0) + Math.abs(fit.c * c0 * c0);
  const R = radius(fit);
  // atol for c_k: rounding of the terms that cancel, and a floor at the size of the curve
  const floor = (k: number) => (1e-14 * scaleY) / R ** k;
  expect(g(c0), label).toBeAllclose(c1, { rtol: 1e-12, atol: 1e-12 * s1 + floor(1) });
  if (fit.degree >= 2) {
    const size = Math.abs(c1) * (Math.abs(fit.b) + Math.abs(fpp * c0));
    expect((fp * c1) / 2, label).toBeAllclose(c2, { rtol: 1e-10, atol: 1e-12 * size + floor(2) });
  }
  if (fit.degree >= 3) {
    const size = (Math.abs(fpp) * c1 * c1 + fp * fp * Math.abs(c1)) / 6;
    expect((fpp * c1 * c1 + fp * fp * c1) / 6, label).toBeAllclose(c3, { rtol: 1e-9, atol: 1e-9 * size + floor(3) });
  }
  // The Taylor expansion of the returned function itself.
  const taylor = taylorByInterpolation(fit.value, 0.05 * R);
  for (let k = 0; k <= fit.degree; k++) {
    expect(taylor[k], `${label}, c${k}`).toBeAllclose(coeffs[k], { rtol: 1e-6, atol: (1e-7 * scaleY) / R ** k });
  }
  // y' = f(y) along the curve, on both sides of 0 inside the interval of existence.
  const up = Math.min(fit.blowUpAt, 3 * R);
  const down = Math.min(-fit.blowUpBelow, 3 * R);
  for (const eta of [-0.8 * down, -0.4 * down, 0.3 * up, 0.6 * up, 0.9 * up]) {
    const h = 1e-3 * R;
    const y = fit.value(eta);
    expect(Number.isFinite(y), `${label} at ${eta}`).toBe(true);
    expect(derivative(fit.value, eta, h), `${label}, y' at ${eta}`).toBeAllclose(g(y), { rtol: 1e-6, atol: 1e-8 * (Math.abs(c1) + Math.abs(g(y))) });
  }
  // Agreement with the ODE solved numerically (RK4 from y(0) = c0).
  for (const eta of [0.5 * up, -0.5 * down]) {
    expect(fit.value(eta), `${label}, RK4 at ${eta}`).toBeAllclose(rk4(g, c0, eta, 4000), { rtol: 1e-9, atol: 1e-12 * scaleY });
  }
}

// ---------------------------------------------------------------- tests

describe("odeFit: closed forms", () => {
  test("y = e^{−η} (c = 1, −1, 1/2, −1/6) is reproduced exactly by degree 2 and by degree 3", () => {
    const coeffs = [1, -1, 1 / 2, -1 / 6];
    const two = odeFit(coeffs, { degree: 2 });
    const three = odeFit(coeffs);
    expect(two.form).toBe("exponential");
    expect(three.form).toBe("exponential");
    expect(three.description).toContain("reduces to degree 2");
    for (const eta of [-1, 0.5, 2, 10, 50]) {
      expect(two.value(eta)).toBeAllclose(Math.exp(-eta), { rtol: 1e-14 });
      expect(three.value(eta)).toBeAllclose(Math.exp(-eta), { rtol: 1e-14 });
    }
    expect(two.fixedPoints).toEqual([0]);
    expect(two.blowsUp).toBe(false);
    checkFit(three, coeffs);
  });

  test("the doc example values", () => {
    expect(odeFit([1, -1, 1 / 2, -1 / 6]).value(2)).toBeAllclose(Math.exp(-2), { rtol: 1e-14 });
    expect(odeFit([0, 1, 0, 1 / 3]).blowUpAt).toBeAllclose(Math.PI / 2, { rtol: 1e-15 });
  });

  test("degree 1 is the line c0 + c1η", () => {
    const fit = odeFit([2, -0.5]);
    expect(fit.degree).toBe(1);
    expect(fit.form).toBe("linear");
    expect(fit.value(3)).toBe(0.5);
    expect(odeFit([2, -0.5, 7, 9], { degree: 1 }).value(3)).toBe(0.5);
  });

  test("logistic y = 1/(1 + e^{−η}) (c2 = 0): real fixed points 0 and 1, no blow-up", () => {
    const coeffs = [1 / 2, 1 / 4, 0, -1 / 48];
    const fit = odeFit(coeffs);
    expect(fit.form).toBe("riccatiReal");
    expect([fit.a, fit.b, fit.c]).toBeAllclose([0, 1, -1], { rtol: 1e-14, atol: 1e-15 });
    expect(fit.discriminant).toBeAllclose(1, { rtol: 1e-14 });
    expect(fit.fixedPoints).toBeAllclose([0, 1], { atol: 1e-15 });
    expect(fit.blowsUp).toBe(false);
    for (const eta of [-40, -3, 0.7, 5, 40, 800]) expect(fit.value(eta)).toBeAllclose(1 / (1 + Math.exp(-eta)), { rtol: 1e-13, atol: 1e-15 });
    checkFit(fit, coeffs);
  });

  test("y = tanh η: real fixed points ±1, defined for every η", () => {
    const fit = odeFit([0, 1, 0, -1 / 3]);
    expect(fit.form).toBe("riccatiReal");
    expect(fit.fixedPoints).toBeAllclose([-1, 1], { rtol: 1e-15 });
    for (const eta of [-100, -2, 0.1, 3, 100]) expect(fit.value(eta)).toBeAllclose(Math.tanh(eta), { rtol: 1e-14 });
  });

  test("y = coth(C − η) from y(0) = 2 (y' = y² − 1): real roots, blows up at atanh(1/2)", () => {
    const coeffs = [2, 3, 6, 11];
    const fit = odeFit(coeffs);
    expect(fit.form).toBe("riccatiReal");
    expect([fit.a, fit.b, fit.c]).toBeAllclose([-1, 0, 1], { rtol: 1e-14, atol: 1e-14 });
    const C = Math.atanh(0.5);
    expect(fit.blowUpAt).toBeAllclose(C, { rtol: 1e-14 });
    expect(fit.blowUpSign).toBe(1);
    expect(fit.blowUpBelow).toBe(-Infinity); // backwards it decays to the fixed point 1
    for (const eta of [-5, -0.5, 0.2, 0.5]) expect(fit.value(eta)).toBeAllclose(1 / Math.tanh(C - eta), { rtol: 1e-13 });
    expect(fit.value(C + 0.1)).toBeNaN();
    expect(fit.description).toContain("blows up");
    checkFit(fit, coeffs);
  });

  test("y = 1/(1 − η) (c = 1, 1, 1, 1): double root, rational solution, blows up at 1", () => {
    const coeffs = [1, 1, 1, 1];
    const fit = odeFit(coeffs);
    expect(fit.form).toBe("riccatiDouble");
    expect(fit.discriminant).toBe(0);
    expect(fit.fixedPoints).toEqual([0]);
    expect(fit.blowUpAt).toBe(1);
    for (const eta of [-10, -0.5, 0.25, 0.9]) expect(fit.value(eta)).toBeAllclose(1 / (1 - eta), { rtol: 1e-15 });
    expect(fit.value(1)).toBeNaN();
    expect(fit.value(2)).toBeNaN();
    checkFit(fit, coeffs);
  });

  test("y = tan η (c = 0, 1, 0, 1/3): complex roots, blows up at ±π/2, NaN beyond", () => {
    const coeffs = [0, 1, 0, 1 / 3];
    const fit = odeFit(coeffs);
    expect(fit.form).toBe("riccatiComplex");
    expect([fit.a, fit.b, fit.c]).toBeAllclose([1, 0, 1], { atol: 1e-15 });
    expect(fit.discriminant).toBeAllclose(-4, { rtol: 1e-15 });
    expect(fit.fixedPoints).toEqual([]);
    expect(fit.blowsUp).toBe(true);
    expect(fit.blowUpAt).toBeAllclose(Math.PI / 2, { rtol: 1e-15 });
    expect(fit.blowUpBelow).toBeAllclose(-Math.PI / 2, { rtol: 1e-15 });
    expect(fit.blowUpSign).toBe(1);
    for (const eta of [-1.5, -0.3, 1, 1.5, 1.57]) expect(fit.value(eta)).toBeAllclose(Math.tan(eta), { rtol: 1e-13 });
    expect(fit.value(1.6)).toBeNaN();
    expect(fit.value(-1.6)).toBeNaN();
    checkFit(fit, coeffs);
  });

  test("the printed real-root formula y₋ + (y₊ − y₋)/(1 − K e^{rη}) holds with y± = (−b ± r)/(2c)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0.2, max: 2, noNaN: true }),
        fc.constantFrom(-1, 1),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        (c0, absC1, sign, c2, delta) => {
          const c1 = sign * absC1;
          const c3 = (c2 * c2 - delta * c1 * c1) / c1; // D = 12δ > 0
          const fit = odeFit([c0, c1, c2, c3]);
          if (fit.form !== "riccatiReal") return; // c = 0 exactly is the exponential case
          const r = Math.sqrt(fit.discriminant);
          const yPlus = (-fit.b + r) / (2 * fit.c);
          const yMinus = (-fit.b - r) / (2 * fit.c);
          const K = 1 - (yPlus - yMinus) / (c0 - yMinus);
          const R = radius(fit);
          for (const eta of [-0.5 * R, 0.3 * R, 0.9 * Math.min(fit.blowUpAt, 2 * R)]) {
            const printed = yMinus + (yPlus - yMinus) / (1 - K * Math.exp(r * eta));
            const size = Math.abs(yPlus) + Math.abs(yMinus) + Math.abs(printed);
            expect(fit.value(eta)).toBeAllclose(printed, { rtol: 1e-9, atol: 1e-9 * size });
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe("odeFit: every form satisfies the ODE, the initial condition and the Taylor coefficients", () => {
  const c1Arb = fc.tuple(fc.double({ min: 0.05, max: 3, noNaN: true }), fc.constantFrom(-1, 1)).map(([x, s]) => x * s);
  const small = fc.double({ min: -3, max: 3, noNaN: true });

  test("property: random degree-3 coefficients (all of real, double and complex roots)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(small, c1Arb, small, small, (c0, c1, c2, c3) => {
        const fit = odeFit([c0, c1, c2, c3]);
        seen.add(fit.form);
        checkFit(fit, [c0, c1, c2, c3]);
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(seen).toContain("riccatiReal");
    expect(seen).toContain("riccatiComplex");
  });

  test("property: prescribed discriminant sign (real, complex, near-double)", () => {
    fc.assert(
      fc.property(small, c1Arb, small, fc.double({ min: -3, max: 3, noNaN: true }), fc.integer({ min: 0, max: 12 }), (c0, c1, c2, delta, e) => {
        const d = delta * 10 ** -e; // D = 12·d, from O(1) down to 1e-12
        const c3 = (c2 * c2 - d * c1 * c1) / c1;
        checkFit(odeFit([c0, c1, c2, c3]), [c0, c1, c2, c3]);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test("property: degree 2", () => {
    fc.assert(
      fc.property(small, c1Arb, small, (c0, c1, c2) => {
        const fit = odeFit([c0, c1, c2]);
        expect(fit.form).toBe(c2 === 0 ? "linear" : "exponential");
        const expected = c2 === 0 ? c0 + c1 * 0.7 : c0 + ((c1 * c1) / (2 * c2)) * Math.expm1(((2 * c2) / c1) * 0.7);
        expect(fit.value(0.7)).toBeAllclose(expected, { rtol: 1e-12, atol: 1e-12 * (Math.abs(c0) + Math.abs(c1)) });
        checkFit(fit, [c0, c1, c2]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe("odeFit: degenerate cases", () => {
  test("c1 = 0 with c2 ≠ 0 or c3 ≠ 0: no autonomous ODE matches, falls back to the Taylor polynomial", () => {
    for (const coeffs of [
      [1, 0, 2, 3],
      [1, 0, 0, 3],
      [1, 0, 2],
    ]) {
      const fit = odeFit(coeffs);
      expect(fit.form).toBe("polynomial");
      expect(fit.fallback).toBe(true);
      expect(fit.description).toContain("c1 = 0");
      expect(fit.a).toBeNaN();
      const eta = 0.7;
      expect(fit.value(eta)).toBeAllclose(coeffs.reduce((s, c, k) => s + c * eta ** k, 0), { rtol: 1e-15 });
    }
  });

  test("c1 = c2 = c3 = 0: the constant solution", () => {
    const fit = odeFit([4, 0, 0, 0]);
    expect(fit.form).toBe("constant");
    expect(fit.fallback).toBe(false);
    expect(fit.value(123)).toBe(4);
    expect(fit.value(NaN)).toBeNaN();
    expect(odeFit([4, 0], { degree: 1 }).form).toBe("constant");
  });

  test("degree 2 with c2 = 0 is linear", () => {
    const fit = odeFit([1, 2, 0]);
    expect(fit.form).toBe("linear");
    expect(fit.description).toContain("c2 = 0");
    expect(fit.value(10)).toBe(21);
  });

  test("degree 3 with c2 = c3 = 0 is linear; with 3c1c3 = 2c2² (c = 0) it is the degree-2 exponential", () => {
    expect(odeFit([1, 2, 0, 0]).form).toBe("linear");
    const c1 = 2;
    const c2 = 3;
    const c3 = (2 * c2 * c2) / (3 * c1); // = 3
    const fit = odeFit([1, c1, c2, c3]);
    expect(fit.form).toBe("exponential");
    expect(fit.c).toBe(0);
    expect(fit.value(0.4)).toBeAllclose(odeFit([1, c1, c2], { degree: 2 }).value(0.4), { rtol: 1e-15 });
  });

  test("continuity: tiny Riccati c approaches the exponential; tiny discriminant approaches the rational form", () => {
    const expo = odeFit([1, 2, 3], { degree: 2 });
    for (const eps of [1e-6, -1e-6, 1e-10]) {
      const fit = odeFit([1, 2, 3, 3 + eps]);
      expect(fit.form).not.toBe("exponential");
      for (const eta of [-2, 0.3, 1]) expect(fit.value(eta)).toBeAllclose(expo.value(eta), { rtol: 1e-4 * Math.abs(eps) * 1e6 + 1e-12 });
    }
    const rational = odeFit([1, 1, 1, 1]);
    for (const eps of [1e-9, -1e-9]) {
      const fit = odeFit([1, 1, 1, 1 + eps]);
      expect(fit.form).toBe(eps > 0 ? "riccatiComplex" : "riccatiReal");
      expect(fit.blowUpAt).toBeAllclose(1, { rtol: 1e-4 });
      for (const eta of [-3, 0.5, 0.9]) expect(fit.value(eta)).toBeAllclose(rational.value(eta), { rtol: 1e-6 });
    }
  });

  test("large η neither overflows nor cancels in the stable real-root forms", () => {
    // Near e^{−η}: decay to the attracting fixed point (≈ 2.5e−8, shifted by the perturbation),
    // with a far repelling one.
    const decay = odeFit([1, -1 + 1e-8, 0.5, -1 / 6]);
    expect(decay.form).toBe("riccatiReal");
    const attractor = decay.fixedPoints.reduce((p, q) => (Math.abs(p) < Math.abs(q) ? p : q));
    expect(decay.value(10)).toBeAllclose(rk4(f(decay), 1, 10, 20_000), { rtol: 1e-10 });
    for (const eta of [50, 500, 1e6]) expect(decay.value(eta)).toBeAllclose(attractor, { rtol: 1e-12 });
    // Near e^{+η} with Riccati c ≈ 3e−14: p = (r − β)/r ≈ −6e−14 must not be formed by
    // cancellation; the curve follows e^η and blows up only near η ≈ ln(1/|p|) ≈ 31.
    const growth = odeFit([1, 1, 0.5, 1 / 6 + 1e-14]);
    expect(growth.form).toBe("riccatiReal");
    expect(growth.blowUpAt).toBeGreaterThan(29);
    expect(growth.blowUpAt).toBeLessThan(33);
    expect(growth.value(25)).toBeAllclose(rk4(f(growth), 1, 25, 40_000), { rtol: 1e-8 });
    expect(growth.value(25)).toBeAllclose(Math.exp(25), { rtol: 1e-2 });
  });

  test("c1 so small that the coefficients overflow: polynomial fallback", () => {
    const fit = odeFit([0, 1e-300, 1e10, 1]);
    expect(fit.form).toBe("polynomial");
    expect(fit.description).toContain("overflow");
  });

  test("validates its input", () => {
    expect(() => odeFit([1])).toThrow(InvalidArgumentError);
    expect(() => odeFit([1, 2], { degree: 3 })).toThrow("odeFit: coeffs must be of length at least 4 (Taylor coefficients c0..c3), got 2");
    expect(() => odeFit([1, 2, NaN])).toThrow("odeFit: coeffs[2] must be a finite number, got NaN");
    expect(() => odeFit([1, 2, 3], { degree: 4 as never })).toThrow(InvalidArgumentError);
  });
});

describe("odeFitWithUncertainty", () => {
  test("zero standard errors collapse the band onto the central fit", () => {
    const r = odeFitWithUncertainty([1, -1, 0.5, -1 / 6], [0, 0, 0, 0], 50, SEED, [0, 1, 3]);
    for (const p of r.band) {
      const y = Math.exp(-p.eta);
      for (const v of [p.central, p.mean, p.lower, p.median, p.upper]) expect(v).toBeAllclose(y, { rtol: 1e-14 });
      expect(p.blownUpFraction).toBe(0);
    }
    expect(r.formCounts).toEqual({ exponential: 50 });
  });

  test("is reproducible from the seed", () => {
    const run = (seed: number) => odeFitWithUncertainty([1, -1, 0.5, -0.2], [0.01, 0.05, 0.05, 0.05], 200, seed, [0.5, 2]);
    expect(run(SEED).band).toEqual(run(SEED).band);
    expect(run(SEED).formCounts).toEqual(run(SEED).formCounts);
    expect(run(SEED).band[1].upper).not.toBe(run(SEED + 1).band[1].upper);
  });

  test("degree 1: mean and 2.5%/97.5% quantiles of c0 + c1η ~ N(μ, s0² + η²s1²) (5σ bounds)", () => {
    const n = 20_000;
    const [s0, s1] = [0.1, 0.3];
    const r = odeFitWithUncertainty([1, 2], [s0, s1], n, SEED, [0, 1, 2.5]);
    for (const p of r.band) {
      const mu = 1 + 2 * p.eta;
      const sigma = Math.hypot(s0, s1 * p.eta);
      expect(Math.abs(p.mean - mu), `seed ${SEED}`).toBeLessThanOrEqual((5 * sigma) / Math.sqrt(n));
      // stderr of a 2.5% quantile: σ·√(p(1−p)/n)/φ(1.96) ≈ 0.0189σ at n = 20 000
      const qse = (sigma * Math.sqrt(0.025 * 0.975)) / (Math.exp(-(1.96 ** 2) / 2) / Math.sqrt(2 * Math.PI)) / Math.sqrt(n);
      expect(Math.abs(p.lower - (mu - 1.959964 * sigma)), `seed ${SEED}`).toBeLessThanOrEqual(5 * qse);
      expect(Math.abs(p.upper - (mu + 1.959964 * sigma)), `seed ${SEED}`).toBeLessThanOrEqual(5 * qse);
      expect(Math.abs(p.median - mu), `seed ${SEED}`).toBeLessThanOrEqual(5 * 1.2533 * (sigma / Math.sqrt(n)));
    }
  });

  test("the doc example: e^{−2} lies inside the band", () => {
    const { band } = odeFitWithUncertainty([1, -1, 0.5, -1 / 6], [0, 0.01, 0.01, 0.01], 1000, 7, [1, 2]);
    expect(band[1].lower).toBeLessThanOrEqual(Math.exp(-2));
    expect(band[1].upper).toBeGreaterThanOrEqual(Math.exp(-2));
  });

  test("curves that blow up before η count as ±∞ in the quantiles and are reported", () => {
    const r = odeFitWithUncertainty([0, 1, 0, 1 / 3], [0, 0.01, 0.01, 0.01], 500, SEED, [1, 2]);
    expect(r.band[0].blownUpFraction).toBe(0);
    expect(r.band[0].upper).toBeLessThan(10);
    expect(r.band[1].blownUpFraction).toBeGreaterThan(0.9);
    expect(r.band[1].upper).toBe(Infinity);
    expect(r.band[1].median).toBe(Infinity);
    const total = Object.values(r.formCounts).reduce((s, x) => s + (x ?? 0), 0);
    expect(total).toBe(500);
  });

  test("validates its input", () => {
    const ok = [1, -1, 0.5, -0.2];
    expect(() => odeFitWithUncertainty(ok, [0, 0, 0], 10, 1, [1])).toThrow(InvalidArgumentError);
    expect(() => odeFitWithUncertainty(ok, [0, -1, 0, 0], 10, 1, [1])).toThrow("odeFitWithUncertainty: stderrs[1] must be a finite number ≥ 0, got -1");
    expect(() => odeFitWithUncertainty(ok, [0, 0, 0, 0], 1, 1, [1])).toThrow("odeFitWithUncertainty: samples must be an integer in [2, 10000000], got 1");
    expect(() => odeFitWithUncertainty(ok, [0, 0, 0, 0], 10, 1.5, [1])).toThrow(InvalidArgumentError);
    expect(() => odeFitWithUncertainty(ok, [0, 0, 0, 0], 10, 1, [NaN])).toThrow(InvalidArgumentError);
  });
});
