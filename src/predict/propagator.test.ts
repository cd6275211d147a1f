import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { InvalidArgumentError } from "../errors.js";
import {
  combinedDecay,
  nestedPropagatorIntegral,
  nestedPropagatorSum,
  propagatorIntegral,
  propagatorSum,
  resolvePropagator,
} from "./propagator.js";

/** Composite Simpson rule with `n` (even) intervals. */
function simpson(f: (t: number) => number, a: number, b: number, n = 2000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

describe("propagatorIntegral", () => {
  test("doc examples and the k → 0 limit", () => {
    expect(propagatorIntegral(0, 10)).toBe(10);
    expect(propagatorIntegral(0.5, 10)).toBeAllclose(2 * (1 - Math.exp(-5)), { rtol: 1e-15 });
    // P_T(s) = T(1 − Ts/2 + (Ts)²/6 − …): smooth through s = 0, no division by zero.
    for (const s of [1e-6, 1e-12, -1e-12, 1e-300, 5e-324]) {
      const x = 10 * s;
      expect(propagatorIntegral(s, 10)).toBeAllclose(10 * (1 - x / 2 + (x * x) / 6), { rtol: 1e-15 });
    }
  });

  test("equals ∫_0^T e^{−st} dt by quadrature, for growing modes too", () => {
    for (const [s, T] of [
      [0.3, 7],
      [-0.2, 5],
      [2, 0.1],
      [0, 3],
    ]) {
      expect(propagatorIntegral(s, T)).toBeAllclose(simpson((t) => Math.exp(-s * t), 0, T), { rtol: 1e-12 });
    }
  });

  test("T = 0 and T = ∞", () => {
    expect(propagatorIntegral(3, 0)).toBe(0);
    expect(propagatorIntegral(4, Infinity)).toBe(0.25);
    expect(propagatorIntegral(0, Infinity)).toBe(Infinity);
    expect(propagatorIntegral(-1, Infinity)).toBe(Infinity);
    expect(propagatorIntegral(1e-3, 1e12)).toBeAllclose(1000, { rtol: 1e-15 });
  });

  test("validates s and T", () => {
    expect(() => propagatorIntegral(NaN, 1)).toThrow(InvalidArgumentError);
    expect(() => propagatorIntegral(1, -1)).toThrow("propagatorIntegral: T must be a number in [0, ∞], got -1");
    expect(() => propagatorIntegral(1, NaN)).toThrow(InvalidArgumentError);
  });
});

describe("propagatorSum", () => {
  test("equals the brute-force geometric sum Σ_{j<T} (1 − k)^j", () => {
    fc.assert(
      fc.property(fc.double({ min: -0.5, max: 2.5, noNaN: true }), fc.integer({ min: 0, max: 60 }), (k, T) => {
        let s = 0;
        let p = 1;
        let scale = 0;
        for (let j = 0; j < T; j++) {
          s += p;
          scale += Math.abs(p);
          p *= 1 - k;
        }
        expect(Math.abs(propagatorSum(k, T) - s)).toBeLessThanOrEqual(1e-12 * scale + 1e-300);
      }),
      { seed: SEED },
    );
  });

  test("D_T(0) = T, and tiny decays keep full relative accuracy", () => {
    expect(propagatorSum(0, 17)).toBe(17);
    // D_T(k) = T − k·T(T−1)/2 + O(k²T³)
    for (const k of [1e-10, 1e-16, 1e-200]) {
      const T = 1000;
      expect(propagatorSum(k, T)).toBeAllclose(T - (k * T * (T - 1)) / 2, { rtol: 1e-15 });
    }
    expect(propagatorSum(0.5, 3)).toBe(1.75);
    expect(propagatorSum(1, 5)).toBe(1); // (1 − k) = 0: only the j = 0 term
    expect(propagatorSum(1, 0)).toBe(0);
  });

  test("T = ∞: 1/k inside (0, 2), +∞ for k ≤ 0, NaN for k ≥ 2", () => {
    expect(propagatorSum(0.25, Infinity)).toBe(4);
    expect(propagatorSum(1.5, Infinity)).toBeAllclose(1 / 1.5, { rtol: 1e-15 });
    expect(propagatorSum(0, Infinity)).toBe(Infinity);
    expect(propagatorSum(-0.1, Infinity)).toBe(Infinity);
    expect(propagatorSum(2, Infinity)).toBeNaN();
    expect(propagatorSum(3, Infinity)).toBeNaN();
  });

  test("validates T (a non-negative integer or ∞)", () => {
    expect(() => propagatorSum(0.1, 2.5)).toThrow("propagatorSum: T must be a non-negative integer or Infinity, got 2.5");
    expect(() => propagatorSum(0.1, -1)).toThrow(InvalidArgumentError);
    expect(() => propagatorSum(NaN, 1)).toThrow(InvalidArgumentError);
  });
});

describe("combinedDecay", () => {
  test("is 1 − Π(1 − k_i), accurately for tiny decays", () => {
    expect(combinedDecay(0.1, 0.2)).toBeAllclose(0.28, { rtol: 1e-15 });
    expect(combinedDecay(0.1, 0.2, 0.5)).toBeAllclose(1 - 0.9 * 0.8 * 0.5, { rtol: 1e-15 });
    expect(combinedDecay()).toBe(0);
    expect(combinedDecay(0.3)).toBe(0.3);
    expect(combinedDecay(1e-20, 2e-20)).toBeAllclose(3e-20, { rtol: 1e-15 }); // 1 − (1 − 1e-20)… would give 0
    expect(combinedDecay(-0.5, 0.5)).toBeAllclose(1 - 1.5 * 0.5, { rtol: 1e-15 });
  });
});

describe("nestedPropagatorIntegral", () => {
  test("doc examples: T²/2 at zero rates, 1/(ab) at T = ∞", () => {
    expect(nestedPropagatorIntegral(0, 0, 4)).toBe(8);
    expect(nestedPropagatorIntegral(1, 2, Infinity)).toBe(0.5);
    expect(nestedPropagatorIntegral(0, 2, Infinity)).toBe(Infinity);
    expect(nestedPropagatorIntegral(1, 2, 0)).toBe(0);
  });

  test("equals ∫_0^T e^{−a(T−t)} P_t(b) dt by quadrature", () => {
    const cases = [
      [0.3, 1.1, 5],
      [1.1, 0.3, 5],
      [0, 0.7, 6],
      [0.7, 0, 6],
      [0.5, 0.5, 4],
      [-0.3, 0.4, 3],
      [2, -0.5, 2],
      [0.25, 0.2500001, 8],
    ];
    for (const [a, b, T] of cases) {
      const quad = simpson((t) => Math.exp(-a * (T - t)) * (b === 0 ? t : -Math.expm1(-b * t) / b), 0, T);
      expect(nestedPropagatorIntegral(a, b, T), `a=${a} b=${b} T=${T}`).toBeAllclose(quad, { rtol: 1e-11 });
    }
  });

  test("property: symmetric in (a, b) and equal to (P_T(a) − P_T(b))/(b − a) for well-separated rates", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1, max: 3, noNaN: true }),
        fc.double({ min: -1, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        (a, b, T) => {
          const v = nestedPropagatorIntegral(a, b, T);
          expect(nestedPropagatorIntegral(b, a, T)).toBeAllclose(v, { rtol: 1e-14 });
          if (Math.abs(a - b) * T > 0.5) {
            const closed = (propagatorIntegral(a, T) - propagatorIntegral(b, T)) / (b - a);
            expect(v).toBeAllclose(closed, { rtol: 1e-12 });
          }
        },
      ),
      { seed: SEED },
    );
  });

  test("is smooth across the near-equal branch (no jump at the switch)", () => {
    const T = 3;
    const a = 0.4;
    for (const rel of [0.99e-3, 1.01e-3]) {
      // the switch is at |a − b|·T = 1e-3·max(1, (a + b)T/2); step just across it
      const b = a + rel / T;
      const quad = simpson((t) => Math.exp(-a * (T - t)) * (-Math.expm1(-b * t) / b), 0, T, 4000);
      expect(nestedPropagatorIntegral(a, b, T)).toBeAllclose(quad, { rtol: 1e-12 });
    }
    // large-T regime: a ≈ b ≫ 1/T, value ≈ 1/(ab)
    expect(nestedPropagatorIntegral(2, 2 + 1e-9, 1e6)).toBeAllclose(1 / (2 * (2 + 1e-9)), { rtol: 1e-12 });
    expect(nestedPropagatorIntegral(2, 3, 1e6)).toBeAllclose(1 / 6, { rtol: 1e-12 });
  });

  test("flat outer direction: Q_T(0; b) = (T − P_T(b))/b, linear in T", () => {
    const b = 0.3;
    for (const T of [1, 10, 1000]) {
      expect(nestedPropagatorIntegral(0, b, T)).toBeAllclose((T - propagatorIntegral(b, T)) / b, { rtol: 1e-12 });
    }
  });
});

describe("nestedPropagatorSum", () => {
  const brute = (a: number, b: number, T: number): number => {
    let s = 0;
    for (let t = 0; t < T; t++) {
      let inner = 0;
      for (let j = 0; j < t; j++) inner += (1 - b) ** j;
      s += (1 - a) ** (T - 1 - t) * inner;
    }
    return s;
  };

  test("doc examples and T(T−1)/2 at zero decay", () => {
    expect(nestedPropagatorSum(0, 0, 5)).toBe(10);
    expect(nestedPropagatorSum(0.5, 0.5, 3)).toBe(2);
    expect(nestedPropagatorSum(0, 0, 1_000_000)).toBe(499999500000);
    expect(nestedPropagatorSum(0.3, 0.2, 0)).toBe(0);
    expect(nestedPropagatorSum(0.3, 0.2, 1)).toBe(0);
  });

  test("property: equals the brute-force double sum", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.3, max: 1.9, noNaN: true }),
        fc.double({ min: -0.3, max: 1.9, noNaN: true }),
        fc.integer({ min: 0, max: 40 }),
        (a, b, T) => {
          const expected = brute(a, b, T);
          const scale = brute(-Math.abs(1 - a) + 1, -Math.abs(1 - b) + 1, T); // same sum of |terms|
          expect(Math.abs(nestedPropagatorSum(a, b, T) - expected)).toBeLessThanOrEqual(1e-12 * scale + 1e-300);
        },
      ),
      { seed: SEED },
    );
  });

  test("tiny decays are not rounded away, and large T approaches the continuous form", () => {
    const T = 1_000_000;
    const k = 1e-13; // (1 − k) rounds to 1 − 1.000…e-13 but kT² matters
    const expected = (T * (T - 1)) / 2 - (2 * k * T * (T - 1) * (T - 2)) / 6; // 2 = a + b weights
    expect(nestedPropagatorSum(k, k, T)).toBeAllclose(expected, { rtol: 1e-12 });
    const eta = 1e-4;
    expect(nestedPropagatorSum(eta * 1, eta * 2, 200_000)).toBeAllclose(nestedPropagatorIntegral(eta, 2 * eta, 200_000), { rtol: 2e-4 });
  });

  test("T = ∞", () => {
    expect(nestedPropagatorSum(0.5, 0.25, Infinity)).toBe(8);
    expect(nestedPropagatorSum(0, 0.25, Infinity)).toBe(Infinity);
    expect(nestedPropagatorSum(2, 0.25, Infinity)).toBeNaN();
    expect(nestedPropagatorSum(0.5, 0.25, 2000)).toBeAllclose(8, { rtol: 1e-12 });
  });

  test("validates its arguments", () => {
    expect(() => nestedPropagatorSum(0.1, 0.1, 1.5)).toThrow(InvalidArgumentError);
    expect(() => nestedPropagatorIntegral(NaN, 0.1, 1)).toThrow("nestedPropagatorIntegral: a must be a number, got NaN");
  });
});

describe("resolvePropagator", () => {
  test("defaults to continuous and validates the kind and T", () => {
    const w = resolvePropagator({}, 10, "f");
    expect(w.kind).toBe("continuous");
    expect(w.sum(0.1, 0.2)).toBe(propagatorIntegral(0.1 + 0.2, 10));
    expect(w.nested(0.1, 0.2, 0.3)).toBe(nestedPropagatorIntegral(0.1, 0.5, 10));
    const d = resolvePropagator({ propagator: "discrete" }, 10, "f");
    expect(d.sum(0.1, 0.2)).toBe(propagatorSum(combinedDecay(0.1, 0.2), 10));
    expect(d.nested(0.1, 0.2, 0.3)).toBe(nestedPropagatorSum(0.1, combinedDecay(0.2, 0.3), 10));
    expect(() => resolvePropagator({ propagator: "discrete" }, 2.5, "f")).toThrow(
      "f: T must be a non-negative integer or Infinity, got 2.5",
    );
    expect(() => resolvePropagator({ propagator: "exact" as never }, 2, "f")).toThrow(
      'f: options.propagator must be "continuous" or "discrete", got "exact"',
    );
  });
});
