import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { arbPolynomial, arbRational } from "../../test/helpers/arbitraries.js";
import { SEED } from "../../test/helpers/seed.js";
import { InvalidArgumentError } from "../errors.js";
import { Polynomial } from "./polynomial.js";
import { Rational } from "./rational.js";
import { FLOAT_RING, POLYNOMIAL_RING, RATIONAL_RING, type Ring, Series } from "./series.js";

const q = (n: bigint | number, d: bigint | number = 1n) => Rational.of(n, d);
const arbOrder = fc.integer({ min: 0, max: 6 });
const arbRatSeries = arbOrder.chain((order) =>
  fc.array(arbRational({ max: 1000n }), { maxLength: order + 3 }).map((cs) => Series.of(RATIONAL_RING, cs, order)),
);

/** Naive convolution of the coefficient lists, truncated at `order`. */
function convolve<C>(ring: Ring<C>, a: readonly C[], b: readonly C[], order: number): C[] {
  const out: C[] = [];
  for (let k = 0; k <= order; k++) {
    let s = ring.zero;
    for (let i = 0; i <= k; i++) s = ring.add(s, ring.mul(a[i] ?? ring.zero, b[k - i] ?? ring.zero));
    out.push(s);
  }
  return out;
}

function expectSeries<C>(a: Series<C>, b: Series<C>): void {
  expect(a.toString(), `seed ${SEED}`).toBe(b.toString());
  expect(a.equals(b)).toBe(true);
}

describe("Series multiplication", () => {
  test("matches naive convolution over ℚ", () => {
    fc.assert(
      fc.property(arbRatSeries, arbRatSeries, (a, b) => {
        const d = Math.min(a.order, b.order);
        const expected = convolve(RATIONAL_RING, a.coefficients(), b.coefficients(), d);
        const product = a.mul(b);
        expect(product.order).toBe(d);
        expect(product.coefficients().map(String)).toEqual(expected.map(String));
      }),
      { seed: SEED },
    );
  });

  test("matches naive convolution over ℚ[N, T, b]", () => {
    const arbPolySeries = fc
      .array(arbPolynomial({ maxTerms: 3, maxExponent: 2 }), { maxLength: 5 })
      .map((cs) => Series.of(POLYNOMIAL_RING, cs, 4));
    fc.assert(
      fc.property(arbPolySeries, arbPolySeries, (a, b) => {
        const expected = convolve(POLYNOMIAL_RING, a.coefficients(), b.coefficients(), 4);
        expect(a.mul(b).coefficients().map(String)).toEqual(expected.map(String));
      }),
      { seed: SEED },
    );
  });

  test("matches naive convolution over floats up to rounding", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 }),
        (a, b) => {
          const product = Series.of(FLOAT_RING, a, 4).mul(Series.of(FLOAT_RING, b, 4));
          expect(product.coefficients()).toBeAllclose(convolve(FLOAT_RING, a, b, 4), { rtol: 1e-12, atol: 1e-12 });
        },
      ),
      { seed: SEED },
    );
  });
});

describe("Series ring laws over ℚ", () => {
  test("commutative ring with unit", () => {
    fc.assert(
      fc.property(arbRatSeries, arbRatSeries, arbRatSeries, (a, b, c) => {
        const one = Series.constant(RATIONAL_RING, Rational.ONE, 10);
        expectSeries(a.add(b).add(c), a.add(b.add(c)));
        expectSeries(a.add(b), b.add(a));
        expectSeries(a.mul(b).mul(c), a.mul(b.mul(c)));
        expectSeries(a.mul(b), b.mul(a));
        expectSeries(a.mul(b.add(c)), a.mul(b).add(a.mul(c)));
        expectSeries(a.mul(one), a);
        expectSeries(a.sub(b), a.add(b.neg()));
        expect(a.sub(a).coefficients().every((x) => x.isZero())).toBe(true);
      }),
      { seed: SEED },
    );
  });

  test("evaluate is multiplicative up to the truncation order", () => {
    fc.assert(
      fc.property(arbRatSeries, arbRatSeries, arbRational({ max: 20n }), (a, b, x) => {
        // With a, b truncated at their common order d and of degree ≤ d, (ab)(x) differs from
        // a(x)·b(x) by exactly the dropped coefficients of degree d+1 … 2d.
        const d = Math.min(a.order, b.order);
        const at = a.truncate(d);
        const bt = b.truncate(d);
        const full = convolve(RATIONAL_RING, at.coefficients(), bt.coefficients(), 2 * d);
        let tail = Rational.ZERO;
        for (let k = d + 1; k <= 2 * d; k++) tail = tail.add(full[k].mul(x.pow(k)));
        expect(at.mul(bt).evaluate(x).add(tail)).toEqualRational(at.evaluate(x).mul(bt.evaluate(x)));
      }),
      { seed: SEED },
    );
  });

  test("scale multiplies every coefficient", () => {
    fc.assert(
      fc.property(arbRatSeries, arbRational(), (a, c) => {
        expectSeries(a.scale(c), a.mul(Series.constant(RATIONAL_RING, c, a.order)));
      }),
      { seed: SEED },
    );
  });

  test("pow agrees with repeated multiplication", () => {
    fc.assert(
      fc.property(arbRatSeries, fc.integer({ min: 0, max: 6 }), (a, k) => {
        let expected = Series.constant(RATIONAL_RING, Rational.ONE, a.order);
        for (let i = 0; i < k; i++) expected = expected.mul(a);
        expectSeries(a.pow(k), expected);
      }),
      { seed: SEED },
    );
  });
});

describe("Series construction and access", () => {
  test("of pads and truncates; eta^k is the monomial", () => {
    const s = Series.of(RATIONAL_RING, [q(1), q(2), q(3), q(4)], 2);
    expect(s.order).toBe(2);
    expect(s.coefficients().map(String)).toEqual(["1", "2", "3"]);
    expect(Series.of(RATIONAL_RING, [q(5)], 3).coefficients().map(String)).toEqual(["5", "0", "0", "0"]);
    const eta = Series.eta(RATIONAL_RING, 5);
    expect(eta.pow(3).coefficients().map(String)).toEqual(["0", "0", "0", "1", "0", "0"]);
    expect(eta.pow(6).toString()).toBe("O(η^6)");
    expect(Series.eta(RATIONAL_RING, 0).toString()).toBe("O(η)");
  });

  test("geometric series: (1 - η)(1 + η + η² + …) = 1", () => {
    const eta = Series.eta(RATIONAL_RING, 8);
    const one = Series.constant(RATIONAL_RING, Rational.ONE, 8);
    const geometric = Series.of(RATIONAL_RING, new Array(9).fill(Rational.ONE), 8);
    expectSeries(one.sub(eta).mul(geometric), one);
  });

  test("mixed orders give the smaller order", () => {
    const a = Series.of(RATIONAL_RING, [q(1), q(1), q(1)], 2);
    const b = Series.of(RATIONAL_RING, [q(1), q(1), q(1), q(1), q(1)], 4);
    expect(a.add(b).order).toBe(2);
    expect(b.sub(a).order).toBe(2);
    expect(b.mul(a).toString()).toBe("1 + 2*η + 3*η^2 + O(η^3)");
  });

  test("coefficient refuses indices beyond the order", () => {
    const s = Series.of(RATIONAL_RING, [q(1), q(2)], 1);
    expect(s.coefficient(1)).toEqualRational(q(2));
    expect(() => s.coefficient(2)).toThrow("Series.coefficient: k must be an integer in [0, 1], got 2");
    expect(() => s.coefficient(-1)).toThrow(InvalidArgumentError);
  });

  test("invalid arguments", () => {
    expect(() => Series.of(RATIONAL_RING, [], -1)).toThrow(
      "Series.of: order must be an integer in [0, 1000000], got -1",
    );
    expect(() => Series.of(RATIONAL_RING, [], 1.5)).toThrow(InvalidArgumentError);
    expect(() => Series.eta(RATIONAL_RING, 2).truncate(3)).toThrow(InvalidArgumentError);
    expect(() => Series.eta(RATIONAL_RING, 2).pow(-1)).toThrow(InvalidArgumentError);
    const otherRing: Ring<Rational> = { ...RATIONAL_RING };
    expect(() => Series.eta(RATIONAL_RING, 2).add(Series.eta(otherRing, 2))).toThrow(
      /^Series\.add: o must be a Series over the same ring/,
    );
  });

  test("coefficients() is a copy", () => {
    const s = Series.of(RATIONAL_RING, [q(1)], 1);
    s.coefficients()[0] = q(9);
    expect(s.coefficient(0)).toEqualRational(q(1));
  });

  test("map converts a polynomial series into a rational one", () => {
    const T = Polynomial.variable("T");
    const s = Series.of(POLYNOMIAL_RING, [T, T.mul(T).neg()], 1);
    const r = s.map(RATIONAL_RING, (p) => p.evaluate({ T: q(3) }));
    expect(r.toString()).toBe("3 - 9*η + O(η^2)");
  });

  test("evaluate sums the kept terms", () => {
    const s = Series.of(RATIONAL_RING, [q(1), q(-3), q(1, 2)], 3);
    expect(s.evaluate(q(1, 10))).toEqualRational(q(1).sub(q(3, 10)).add(q(1, 200)));
    expect(Series.of(FLOAT_RING, [1, -3, 0.5], 3).evaluate(0.1)).toBeCloseTo(0.705, 14);
  });
});

describe("Series.toString", () => {
  test("rational coefficients", () => {
    const s = Series.of(RATIONAL_RING, [q(1), q(-3), q(1, 2)], 3);
    expect(s.toString()).toBe("1 - 3*η + 1/2*η^2 + O(η^4)");
    expect(Series.of(RATIONAL_RING, [q(0), q(-1), q(0), q(-2, 3)], 3).toString()).toBe("-η - 2/3*η^3 + O(η^4)");
    expect(Series.of(RATIONAL_RING, [], 2).toString()).toBe("O(η^3)");
  });

  test("polynomial coefficients are parenthesised when they have several terms", () => {
    const s = Series.of(POLYNOMIAL_RING, [Polynomial.parse("T"), Polynomial.parse("T - 1"), Polynomial.parse("-1/2*T^2")], 2);
    expect(s.toString()).toBe("T + (T - 1)*η - 1/2*T^2*η^2 + O(η^3)");
    const t = Series.of(POLYNOMIAL_RING, [Polynomial.parse("-T + 1"), Polynomial.ONE], 1);
    expect(t.toString()).toBe("-T + 1 + η + O(η^2)");
  });

  test("float coefficients", () => {
    expect(Series.of(FLOAT_RING, [0.5, -2, 1e-7], 2).toString()).toBe("0.5 - 2*η + 1e-7*η^2 + O(η^3)");
  });

  test("the TSDoc example holds", () => {
    const s = Series.of(RATIONAL_RING, [Rational.ONE, Rational.int(-3), Rational.of(1, 2)], 3);
    expect(s.toString()).toBe("1 - 3*η + 1/2*η^2 + O(η^4)");
  });
});
