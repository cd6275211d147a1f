import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { arbPolynomial, arbRational } from "../../test/helpers/arbitraries.js";
import { SEED } from "../../test/helpers/seed.js";
import { DivisionByZeroError, InvalidArgumentError } from "../errors.js";
import {
  Polynomial,
  PolynomialAccumulator,
  binomialPoly,
  fallingPoly,
  sumOverInterval,
  sumOverRange,
} from "./polynomial.js";
import { Rational, binomial } from "./rational.js";

const q = (n: bigint | number, d: bigint | number = 1n) => Rational.of(n, d);
const P = (text: string) => Polynomial.parse(text);
const T = Polynomial.variable("T");
const N = Polynomial.variable("N");
const E = Polynomial.variable("E");

const arbPoint = fc.record({ N: arbRational({ max: 50n }), T: arbRational({ max: 50n }), b: arbRational({ max: 50n }) });

function expectPoly(actual: Polynomial, expected: Polynomial): void {
  expect(actual.toString(), `seed ${SEED}`).toBe(expected.toString());
  expect(actual.equals(expected)).toBe(true);
}

describe("Polynomial ring laws", () => {
  test("addition is an abelian group", () => {
    fc.assert(
      fc.property(arbPolynomial(), arbPolynomial(), arbPolynomial(), (a, b, c) => {
        expectPoly(a.add(b).add(c), a.add(b.add(c)));
        expectPoly(a.add(b), b.add(a));
        expectPoly(a.add(Polynomial.ZERO), a);
        expect(a.add(a.neg()).isZero()).toBe(true);
        expectPoly(a.sub(b), a.add(b.neg()));
      }),
      { seed: SEED },
    );
  });

  test("multiplication is associative and commutative with identity 1", () => {
    fc.assert(
      fc.property(arbPolynomial(), arbPolynomial(), arbPolynomial(), (a, b, c) => {
        expectPoly(a.mul(b).mul(c), a.mul(b.mul(c)));
        expectPoly(a.mul(b), b.mul(a));
        expectPoly(a.mul(Polynomial.ONE), a);
        expect(a.mul(Polynomial.ZERO).isZero()).toBe(true);
      }),
      { seed: SEED },
    );
  });

  test("multiplication distributes over addition", () => {
    fc.assert(
      fc.property(arbPolynomial(), arbPolynomial(), arbPolynomial(), (a, b, c) => {
        expectPoly(a.mul(b.add(c)), a.mul(b).add(a.mul(c)));
        expectPoly(a.add(b).mul(c), a.mul(c).add(b.mul(c)));
      }),
      { seed: SEED },
    );
  });

  test("scale is multiplication by a constant polynomial", () => {
    fc.assert(
      fc.property(arbPolynomial(), arbRational(), (a, r) => {
        expectPoly(a.scale(r), a.mul(Polynomial.constant(r)));
      }),
      { seed: SEED },
    );
  });

  test("pow agrees with repeated multiplication", () => {
    fc.assert(
      fc.property(arbPolynomial({ maxTerms: 3, maxExponent: 2 }), fc.integer({ min: 0, max: 5 }), (a, k) => {
        let expected = Polynomial.ONE;
        for (let i = 0; i < k; i++) expected = expected.mul(a);
        expectPoly(a.pow(k), expected);
      }),
      { seed: SEED },
    );
  });

  test("the degree of a product is the sum of degrees (ℚ[x] is an integral domain)", () => {
    fc.assert(
      fc.property(arbPolynomial(), arbPolynomial(), (a, b) => {
        fc.pre(!a.isZero() && !b.isZero());
        expect(a.mul(b).degree()).toBe(a.degree() + b.degree());
        expect(a.mul(b).degree("T")).toBe(a.degree("T") + b.degree("T"));
      }),
      { seed: SEED },
    );
  });

  test("Polynomial.sum and PolynomialAccumulator agree with repeated add", () => {
    fc.assert(
      fc.property(fc.array(arbPolynomial(), { maxLength: 8 }), arbRational(), (ps, r) => {
        expectPoly(Polynomial.sum(ps), ps.reduce((x, y) => x.add(y), Polynomial.ZERO));
        const acc = new PolynomialAccumulator();
        for (const p of ps) acc.add(p, r);
        expectPoly(acc.toPolynomial(), Polynomial.sum(ps).scale(r));
      }),
      { seed: SEED },
    );
  });

  test("an accumulator's snapshot does not change when the accumulator does", () => {
    const acc = new PolynomialAccumulator().add(T);
    const first = acc.toPolynomial();
    acc.add(T).add(N);
    expect(first.toString()).toBe("T");
    expect(acc.toPolynomial().toString()).toBe("N + 2*T");
  });
});

describe("Polynomial text form", () => {
  test("parse(toString(p)) = p and toString is canonical", () => {
    fc.assert(
      fc.property(arbPolynomial({ variables: ["N", "T", "b", "beta", "eta", "E"] }), (p) => {
        const text = p.toString();
        expectPoly(P(text), p);
        expect(P(text).toString()).toBe(text);
        expect(JSON.stringify(p)).toBe(JSON.stringify(text));
      }),
      { seed: SEED },
    );
  });

  test("terms(), fromTerms() round-trip and terms are in graded lexicographic order", () => {
    fc.assert(
      fc.property(arbPolynomial(), (p) => {
        const ts = p.terms();
        expectPoly(Polynomial.fromTerms(ts), p);
        const degs = ts.map((t) => Object.values(t.powers).reduce((x, y) => x + y, 0));
        for (let i = 1; i < degs.length; i++) expect(degs[i - 1]).toBeGreaterThanOrEqual(degs[i]);
      }),
      { seed: SEED },
    );
  });

  test("canonical strings of examples", () => {
    expect(T.mul(T.sub(Polynomial.ONE)).scale(q(1, 2)).add(Polynomial.constant(3)).toString()).toBe(
      "1/2*T^2 - 1/2*T + 3",
    );
    expect(P("b^2*N*3/4").toString()).toBe("3/4*N*b^2");
    expect(P("1 + T + T^2 + N*T + N^2 + N").toString()).toBe("N^2 + N*T + T^2 + N + T + 1");
    expect(P("x*y^2 + x^2*y + x^3 + y^3").toString()).toBe("x^3 + x^2*y + x*y^2 + y^3");
    expect(P("-T").toString()).toBe("-T");
    expect(P("-1/2*T - 1").toString()).toBe("-1/2*T - 1");
    expect(Polynomial.ZERO.toString()).toBe("0");
    expect(Polynomial.constant(-7n).toString()).toBe("-7");
    expect(P("beta*eta - b").toString()).toBe("beta*eta - b");
  });

  test("parse accepts the wider syntax", () => {
    expectPoly(P("(T - 1)^2"), T.sub(Polynomial.ONE).pow(2));
    expectPoly(P("  -(E-1)**2 / 2 "), E.sub(Polynomial.ONE).pow(2).scale(q(-1, 2)));
    expectPoly(P("0.25*T"), T.scale(q(1, 4)));
    expectPoly(P("T/2/3"), T.scale(q(1, 6)));
    expectPoly(P("--T"), T);
    expectPoly(P("3"), Polynomial.constant(3));
    expectPoly(P("-3/4"), Polynomial.constant(q(-3, 4)));
    expectPoly(P("T - T"), Polynomial.ZERO);
    expectPoly(P("η^2"), Polynomial.variable("η").pow(2));
  });

  test.each(["", "T +", "3*", "T^", "T^-1", "T^1.5", "(T", "T)", "2T", "T $ 1", "1/T", "T/(N+1)", "3 4"])(
    "parse(%j) throws InvalidArgumentError",
    (text) => {
      expect(() => P(text)).toThrow(InvalidArgumentError);
      expect(() => P(text)).toThrow(/^Polynomial\.parse: text must be a polynomial like /);
    },
  );

  test("parse reports division by zero", () => {
    expect(() => P("T/0")).toThrow(DivisionByZeroError);
    expect(() => P("T/(N-N)")).toThrow(DivisionByZeroError);
  });
});

describe("Polynomial evaluation and substitution", () => {
  test("evaluate is a ring homomorphism ℚ[N,T,b] → ℚ", () => {
    fc.assert(
      fc.property(arbPolynomial(), arbPolynomial(), arbPoint, arbRational(), (a, b, x, r) => {
        expect(a.add(b).evaluate(x)).toEqualRational(a.evaluate(x).add(b.evaluate(x)));
        expect(a.mul(b).evaluate(x)).toEqualRational(a.evaluate(x).mul(b.evaluate(x)));
        expect(a.neg().evaluate(x)).toEqualRational(a.evaluate(x).neg());
        expect(Polynomial.constant(r).evaluate(x)).toEqualRational(r);
        expect(Polynomial.ONE.evaluate(x)).toEqualRational(Rational.ONE);
      }),
      { seed: SEED },
    );
  });

  test("evaluate agrees with a term-by-term sum", () => {
    fc.assert(
      fc.property(arbPolynomial(), arbPoint, (p, x) => {
        const values: Record<string, Rational> = x;
        let expected = Rational.ZERO;
        for (const t of p.terms()) {
          let v = t.coef;
          for (const [name, k] of Object.entries(t.powers)) v = v.mul(values[name].pow(k));
          expected = expected.add(v);
        }
        expect(p.evaluate(x)).toEqualRational(expected);
      }),
      { seed: SEED },
    );
  });

  test("evaluate names the missing variable", () => {
    expect(() => P("T*N + 1").evaluate({ T: q(1) })).toThrow(InvalidArgumentError);
    expect(() => P("T*N + 1").evaluate({ T: q(1) })).toThrow(/^Polynomial\.evaluate: values\.N must be /);
    expect(() => P("T").evaluate({ T: 3 as unknown as Rational })).toThrow(TypeError);
    expect(P("7").evaluate({})).toEqualRational(q(7));
    expect(Polynomial.ZERO.evaluate({})).toEqualRational(Rational.ZERO);
  });

  test("substitute then evaluate = evaluate at the substituted value", () => {
    fc.assert(
      fc.property(
        arbPolynomial({ maxExponent: 2 }),
        arbPolynomial({ maxTerms: 3, maxExponent: 2 }),
        arbPoint,
        (p, r, x) => {
          const substituted = p.substitute("T", r);
          expect(substituted.evaluate(x)).toEqualRational(p.evaluate({ ...x, T: r.evaluate(x) }));
        },
      ),
      { seed: SEED },
    );
  });

  test("partialEvaluate then evaluate = evaluate", () => {
    fc.assert(
      fc.property(arbPolynomial(), arbPoint, (p, x) => {
        const partial = p.partialEvaluate({ T: x.T });
        expect(partial.variables()).not.toContain("T");
        expect(partial.evaluate({ N: x.N, b: x.b })).toEqualRational(p.evaluate(x));
        expect(p.partialEvaluate(x).constantValue()).toEqualRational(p.evaluate(x));
      }),
      { seed: SEED },
    );
  });

  test("substitute and partialEvaluate on examples", () => {
    expectPoly(P("T^2 + N").substitute("T", P("N - 1")), P("N^2 - N + 1"));
    expectPoly(P("T^2 + N").substitute("x", P("N - 1")), P("T^2 + N"));
    expectPoly(P("T*N + 1").partialEvaluate({ T: q(3), unused: q(9) }), P("3*N + 1"));
  });

  test("coefficientsIn splits by powers of a variable", () => {
    fc.assert(
      fc.property(arbPolynomial(), (p) => {
        const cs = p.coefficientsIn("T");
        expect(cs.length).toBe(p.degree("T") + 1);
        expectPoly(Polynomial.sum(cs.map((c, k) => c.mul(T.pow(k)))), p);
        for (const c of cs) expect(c.variables()).not.toContain("T");
      }),
      { seed: SEED },
    );
  });
});

describe("Polynomial queries", () => {
  test("constants, degrees, variables, coefficients", () => {
    const p = P("3/4*N*b^2 - T + 5");
    expect(p.isZero()).toBe(false);
    expect(p.isConstant()).toBe(false);
    expect(p.degree()).toBe(3);
    expect(p.degree("b")).toBe(2);
    expect(p.degree("x")).toBe(0);
    expect(Polynomial.ZERO.degree()).toBe(-1);
    expect(p.variables()).toEqual(["N", "T", "b"]);
    expect(p.size).toBe(3);
    expect(p.coefficient({ b: 2, N: 1 })).toEqualRational(q(3, 4));
    expect(p.coefficient({})).toEqualRational(q(5));
    expect(p.coefficient({ T: 2 })).toEqualRational(Rational.ZERO);
    expect(p.terms()).toEqual([
      { coef: q(3, 4), powers: { N: 1, b: 2 } },
      { coef: q(-1), powers: { T: 1 } },
      { coef: q(5), powers: {} },
    ]);
    expect(Polynomial.constant(q(2, 3)).constantValue()).toEqualRational(q(2, 3));
    expect(Polynomial.ZERO.constantValue()).toEqualRational(Rational.ZERO);
    expect(Polynomial.ZERO.isConstant()).toBe(true);
  });

  test("constantValue throws on a non-constant", () => {
    expect(() => T.constantValue()).toThrow('Polynomial.constantValue: the polynomial must be constant, got "T"');
  });

  test("invalid arguments are rejected with the standard message", () => {
    expect(() => Polynomial.variable("2x")).toThrow(
      'Polynomial.variable: name must be a variable name like "T" or "beta", got "2x"',
    );
    expect(() => Polynomial.variable("")).toThrow(InvalidArgumentError);
    expect(() => Polynomial.constant(0.5)).toThrow(
      "Polynomial.constant: c must be a Rational, a bigint or a safe integer, got 0.5",
    );
    expect(() => T.pow(-1)).toThrow("Polynomial.pow: k must be an integer in [0, 1000000], got -1");
    expect(() => T.pow(1.5)).toThrow(InvalidArgumentError);
    expect(() => Polynomial.fromTerms([{ coef: q(1), powers: { T: -1 } }])).toThrow(InvalidArgumentError);
    expect(() => Polynomial.fromTerms([{ coef: q(1), powers: { "a b": 1 } }])).toThrow(InvalidArgumentError);
    expect(() => Polynomial.fromTerms([{ coef: 1 as unknown as Rational, powers: {} }])).toThrow(
      InvalidArgumentError,
    );
    expect(() => T.substitute("1", N)).toThrow(InvalidArgumentError);
    expect(() => T.degree("")).toThrow(InvalidArgumentError);
  });

  test("fromTerms merges repeated monomials and drops cancelled ones", () => {
    const p = Polynomial.fromTerms([
      { coef: q(1), powers: { T: 1, N: 0 } },
      { coef: q(2), powers: { T: 1 } },
      { coef: q(1), powers: { N: 1 } },
      { coef: q(-1), powers: { N: 1 } },
    ]);
    expect(p.toString()).toBe("3*T");
  });
});

describe("binomialPoly and fallingPoly", () => {
  test("agree with the integer functions at nonnegative integers", () => {
    for (let n = 0; n <= 8; n++) {
      for (let k = 0; k <= 6; k++) {
        expect(binomialPoly(T, k).evaluate({ T: q(n) })).toEqualRational(q(binomial(n, k)));
      }
    }
    expect(fallingPoly(T, 3).toString()).toBe("T^3 - 3*T^2 + 2*T");
    expect(binomialPoly(T, 2).toString()).toBe("1/2*T^2 - 1/2*T");
    expect(binomialPoly(T, 0)).toEqual(Polynomial.ONE);
  });

  test("C(N + T, 2) = C(N, 2) + N·T + C(T, 2) (Vandermonde)", () => {
    expectPoly(binomialPoly(N.add(T), 2), binomialPoly(N, 2).add(N.mul(T)).add(binomialPoly(T, 2)));
  });

  test("reject negative k", () => {
    expect(() => binomialPoly(T, -1)).toThrow("binomialPoly: k must be an integer in [0, 1000000], got -1");
    expect(() => fallingPoly(T, 0.5)).toThrow(InvalidArgumentError);
  });
});

describe("sumOverRange", () => {
  test("Faulhaber sums of powers", () => {
    expect(sumOverRange(Polynomial.ONE, "e", E).toString()).toBe("E");
    expect(sumOverRange(P("e"), "e", E).toString()).toBe("1/2*E^2 - 1/2*E");
    expect(sumOverRange(P("e^2"), "e", E).toString()).toBe("1/3*E^3 - 1/2*E^2 + 1/6*E");
    expect(sumOverRange(P("e^3"), "e", E).toString()).toBe("1/4*E^4 - 1/2*E^3 + 1/4*E^2");
    expect(sumOverRange(Polynomial.ZERO, "e", E).isZero()).toBe(true);
  });

  test("agrees with brute-force summation for concrete upper limits", () => {
    const arbSummand = arbPolynomial({ variables: ["t", "N", "T"], maxExponent: 4, maxTerms: 4 });
    fc.assert(
      fc.property(
        arbSummand,
        fc.integer({ min: 0, max: 12 }),
        arbRational({ max: 20n }),
        arbRational({ max: 20n }),
        (p, n, Nv, Tv) => {
          // upper = N + T - c, with c chosen so that it equals n at the sample point.
          const c = Nv.add(Tv).sub(q(n));
          const upper = N.add(T).sub(Polynomial.constant(c));
          const closed = sumOverRange(p, "t", upper);
          expect(closed.variables()).not.toContain("t");
          let brute = Rational.ZERO;
          for (let t = 0; t < n; t++) brute = brute.add(p.evaluate({ t: q(t), N: Nv, T: Tv }));
          expect(closed.evaluate({ N: Nv, T: Tv })).toEqualRational(brute);
        },
      ),
      { seed: SEED },
    );
  });

  test("high powers match brute force (Bernoulli numbers up to B_20)", () => {
    for (const k of [10, 15, 20]) {
      const closed = sumOverRange(P(`t^${k}`), "t", E);
      for (const n of [0, 1, 7, 13]) {
        let brute = 0n;
        for (let t = 0n; t < BigInt(n); t++) brute += t ** BigInt(k);
        expect(closed.evaluate({ E: q(n) })).toEqualRational(q(brute));
      }
    }
  });

  test("nested sums: Σ_{s=0}^{T-1} Σ_{t=0}^{s-1} 1 = C(T, 2)", () => {
    const inner = sumOverRange(Polynomial.ONE, "t", Polynomial.variable("s"));
    expectPoly(sumOverRange(inner, "s", T), binomialPoly(T, 2));
  });

  test("sumOverInterval sums over [lower, upper)", () => {
    const closed = sumOverInterval(P("t^2 + N"), "t", N, T);
    for (let lo = 0; lo <= 5; lo++) {
      for (let hi = lo; hi <= 8; hi++) {
        let brute = 0;
        for (let t = lo; t < hi; t++) brute += t * t + lo;
        expect(closed.evaluate({ N: q(lo), T: q(hi) })).toEqualRational(q(brute));
      }
    }
  });

  test("rejects bad variables and bounds that involve the summation variable", () => {
    expect(() => sumOverRange(T, "t", P("t + 1"))).toThrow(
      'sumOverRange: upper must be a polynomial not involving "t", got "t + 1"',
    );
    expect(() => sumOverRange(T, "1t", E)).toThrow(InvalidArgumentError);
    expect(() => sumOverInterval(T, "t", P("t"), E)).toThrow(InvalidArgumentError);
  });
});

describe("performance", () => {
  test("summing 20 000 small polynomials with an accumulator is fast", () => {
    const start = performance.now();
    const acc = new PolynomialAccumulator();
    for (let k = 0; k < 20_000; k++) acc.add(T.pow(k % 7).mul(N.pow(k % 5)), q(1, (k % 11) + 1));
    const p = acc.toPolynomial();
    expect(p.size).toBe(35);
    expect(performance.now() - start).toBeLessThan(5_000);
  });

  test("the TSDoc examples hold", () => {
    expect(T.mul(T.sub(Polynomial.ONE)).scale(Rational.of(1, 2)).toString()).toBe("1/2*T^2 - 1/2*T");
    const acc = new PolynomialAccumulator();
    for (let k = 0; k < 1000; k++) acc.add(Polynomial.variable("T").pow(k % 3));
    expect(acc.toPolynomial().toString()).toBe("333*T^2 + 333*T + 334");
  });
});
