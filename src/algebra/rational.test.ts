import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { arbNonzeroRational, arbRational } from "../../test/helpers/arbitraries.js";
import { SEED } from "../../test/helpers/seed.js";
import { DivisionByZeroError, InvalidArgumentError } from "../errors.js";
import { Rational, binomial, factorial, fallingFactorial } from "./rational.js";

const q = (n: bigint | number, d: bigint | number = 1n) => Rational.of(n, d);

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

describe("Rational field axioms", () => {
  test("addition is associative and commutative with identity 0 and inverses", () => {
    fc.assert(
      fc.property(arbRational(), arbRational(), arbRational(), (a, b, c) => {
        expect(a.add(b).add(c)).toEqualRational(a.add(b.add(c)));
        expect(a.add(b)).toEqualRational(b.add(a));
        expect(a.add(Rational.ZERO)).toEqualRational(a);
        expect(a.add(a.neg())).toEqualRational(Rational.ZERO);
        expect(a.sub(b)).toEqualRational(a.add(b.neg()));
      }),
      { seed: SEED },
    );
  });

  test("multiplication is associative and commutative with identity 1", () => {
    fc.assert(
      fc.property(arbRational(), arbRational(), arbRational(), (a, b, c) => {
        expect(a.mul(b).mul(c)).toEqualRational(a.mul(b.mul(c)));
        expect(a.mul(b)).toEqualRational(b.mul(a));
        expect(a.mul(Rational.ONE)).toEqualRational(a);
        expect(a.mul(Rational.ZERO)).toEqualRational(Rational.ZERO);
      }),
      { seed: SEED },
    );
  });

  test("nonzero elements have multiplicative inverses; division undoes multiplication", () => {
    fc.assert(
      fc.property(arbRational(), arbNonzeroRational(), (a, b) => {
        expect(b.mul(b.inv())).toEqualRational(Rational.ONE);
        expect(a.mul(b).div(b)).toEqualRational(a);
        expect(a.div(b)).toEqualRational(a.mul(b.inv()));
      }),
      { seed: SEED },
    );
  });

  test("multiplication distributes over addition", () => {
    fc.assert(
      fc.property(arbRational(), arbRational(), arbRational(), (a, b, c) => {
        expect(a.mul(b.add(c))).toEqualRational(a.mul(b).add(a.mul(c)));
      }),
      { seed: SEED },
    );
  });

  test("results are in lowest terms with a positive denominator", () => {
    fc.assert(
      fc.property(arbRational(), arbRational(), (a, b) => {
        for (const r of [a.add(b), a.sub(b), a.mul(b), a.neg()]) {
          expect(r.den > 0n).toBe(true);
          expect(gcd(r.num, r.den)).toBe(r.num === 0n ? r.den : 1n);
        }
      }),
      { seed: SEED },
    );
  });

  test("compare agrees with the sign of the difference and is antisymmetric", () => {
    fc.assert(
      fc.property(arbRational(), arbRational(), (a, b) => {
        expect(a.compare(b)).toBe(a.sub(b).sign());
        expect(b.compare(a)).toBe(-a.compare(b) || 0);
      }),
      { seed: SEED },
    );
  });
});

describe("Rational construction and text", () => {
  test("Rational.of normalises sign and common factors", () => {
    expect(q(6, -4).toString()).toBe("-3/2");
    expect(q(0, -7)).toEqualRational(Rational.ZERO);
    expect(q(-0).toString()).toBe("0");
  });

  test("Rational.of rejects a zero denominator and unsafe numbers", () => {
    expect(() => q(1, 0)).toThrow(DivisionByZeroError);
    expect(() => Rational.of(0.5)).toThrow(InvalidArgumentError);
    expect(() => Rational.of(0.5)).toThrow("Rational.of: numerator must be a safe integer or bigint, got 0.5");
    expect(() => Rational.of(1, 2 ** 60)).toThrow(InvalidArgumentError);
  });

  test("parse(toString(x)) = x", () => {
    fc.assert(
      fc.property(arbRational({ max: 10n ** 30n }), (a) => {
        expect(Rational.parse(a.toString())).toEqualRational(a);
        expect(Rational.parse(JSON.parse(JSON.stringify(a)) as string)).toEqualRational(a);
      }),
      { seed: SEED },
    );
  });

  test("parse rejects anything but p/q", () => {
    for (const bad of ["", "1.5", "1/", "/2", "a", "1/-2", "--1", "1 / 2"]) {
      expect(() => Rational.parse(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => Rational.parse("1/0")).toThrow(DivisionByZeroError);
  });

  test("division by zero and the inverse of zero throw", () => {
    expect(() => Rational.ONE.div(Rational.ZERO)).toThrow(DivisionByZeroError);
    expect(() => Rational.ZERO.inv()).toThrow(DivisionByZeroError);
    expect(() => Rational.ZERO.pow(-1)).toThrow(DivisionByZeroError);
  });

  test("pow handles negative exponents and rejects fractional ones", () => {
    expect(q(2, 3).pow(3).toString()).toBe("8/27");
    expect(q(2, 3).pow(-2).toString()).toBe("9/4");
    expect(q(5).pow(0)).toEqualRational(Rational.ONE);
    expect(() => q(2).pow(0.5)).toThrow("Rational.pow: k must be an integer, got 0.5");
  });
});

describe("Rational.parseDecimal", () => {
  test.each([
    ["0.9", "9/10"],
    ["1e-3", "1/1000"],
    ["-2.5", "-5/2"],
    ["3/4", "3/4"],
    ["-3/4", "-3/4"],
    ["-1.25e-2", "-1/80"],
    ["+7", "7"],
    [".5", "1/2"],
    ["5.", "5"],
    ["2E3", "2000"],
    ["  0.10  ", "1/10"],
    ["0.000", "0"],
  ])("parseDecimal(%j) = %s", (text, expected) => {
    expect(Rational.parseDecimal(text).toString()).toBe(expected);
  });

  test.each(["", ".", "abc", "1.2.3", "--1", "1e", "e5", "0x10", "1,5", "1/2/3", "NaN", "Infinity"])(
    "parseDecimal(%j) throws InvalidArgumentError",
    (text) => {
      expect(() => Rational.parseDecimal(text)).toThrow(InvalidArgumentError);
      expect(() => Rational.parseDecimal(text)).toThrow(/^Rational\.parseDecimal: text must be /);
    },
  );

  test("huge exponents are refused rather than allocating", () => {
    expect(() => Rational.parseDecimal("1e100000")).toThrow(InvalidArgumentError);
  });

  test("a zero denominator is a division by zero", () => {
    expect(() => Rational.parseDecimal("1/0")).toThrow(DivisionByZeroError);
  });

  test("decimals printed by JavaScript parse to their exact decimal value", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 6 }), (m, e) => {
        const text = (m / 10 ** e).toFixed(e);
        expect(Rational.parseDecimal(text)).toEqualRational(q(m, 10 ** e));
      }),
      { seed: SEED },
    );
  });
});

describe("Rational.toNumber", () => {
  test("small parts divide exactly", () => {
    expect(q(1, 3).toNumber()).toBe(1 / 3);
    expect(q(-9, 10).toNumber()).toBe(-0.9);
    expect(Rational.ZERO.toNumber()).toBe(0);
  });

  test("huge numerator and denominator whose ratio is moderate", () => {
    const big = 10n ** 400n;
    expect(Rational.of(big + 1n, 3n * (big / 10n)).toNumber()).toBe(10 / 3);
    expect(Rational.of(-(2n ** 2000n), 2n ** 1999n).toNumber()).toBe(-2);
    expect(Rational.of(7n * 10n ** 350n, 10n ** 351n).toNumber()).toBeCloseTo(0.7, 15);
  });

  test("huge parts with an extreme ratio stay finite and accurate when representable", () => {
    expect(Rational.of(10n ** 100n, 10n ** 400n).toNumber()).toBe(1e-300);
    expect(Rational.of(10n ** 700n, 10n ** 400n).toNumber()).toBe(1e300);
    expect(Rational.of(1n, 10n ** 310n).toNumber()).toBeCloseTo(1e-310, 320);
  });

  test("values outside the double range round to 0 or ±Infinity", () => {
    expect(Rational.of(1n, 10n ** 400n).toNumber()).toBe(0);
    expect(Rational.of(10n ** 400n, 3n).toNumber()).toBe(Infinity);
    expect(Rational.of(-(10n ** 400n), 3n).toNumber()).toBe(-Infinity);
  });

  test("relative error is at most 2 ulp on random huge parts", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 40n }),
        fc.bigInt({ min: 1n, max: 10n ** 40n }),
        fc.integer({ min: 0, max: 300 }),
        (a, b, k) => {
          // a·10^k / (b·10^k) has huge parts but the same value as a/b.
          const scale = 10n ** BigInt(k);
          const x = Rational.of(a * scale, b * scale).toNumber();
          const y = Rational.of(a, b).toNumber();
          expect(Math.abs(x - y)).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(y));
          // Against the quotient of the two correctly rounded parts (each within 1/2 ulp).
          expect(Math.abs(x - Number(a) / Number(b))).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(y));
        },
      ),
      { seed: SEED },
    );
  });
});

describe("integer helpers", () => {
  test("binomial, fallingFactorial, factorial on small values", () => {
    expect([0, 1, 2, 3, 4, 5].map((k) => binomial(5, k))).toEqual([1n, 5n, 10n, 10n, 5n, 1n]);
    expect(binomial(5, 6)).toBe(0n);
    expect(binomial(5, -1)).toBe(0n);
    expect(fallingFactorial(5, 3)).toBe(60n);
    expect(factorial(0)).toBe(1n);
    expect(factorial(10)).toBe(3628800n);
  });
});
