import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { float64Fit, float64OrNull, toScientific } from "./float64Range.js";
import { Rational } from "./rational.js";

/** The exact value of a finite double, from its bits (an independent route to the rational). */
function exactOf(x: number): Rational {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n === 1n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? frac : frac | (1n << 52n);
  const e = (biased === 0 ? 1 : biased) - 1075;
  return e >= 0 ? Rational.of(sign * m * 2n ** BigInt(e)) : Rational.of(sign * m, 2n ** BigInt(-e));
}

const doubles = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => x !== 0);

describe("toScientific: exact decimal scientific notation of a rational", () => {
  test("equals Number.prototype.toExponential on the exact value of any double", () => {
    fc.assert(
      fc.property(doubles, fc.integer({ min: 1, max: 17 }), (x, d) => {
        expect(toScientific(exactOf(x), d)).toBe(x.toExponential(d - 1));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
  test("scaling by 10^k shifts only the exponent, far beyond the float64 range", () => {
    fc.assert(
      fc.property(doubles, fc.integer({ min: -2000, max: 2000 }), fc.integer({ min: 1, max: 15 }), (x, k, d) => {
        const base = x.toExponential(d - 1);
        const [mantissa, e] = base.split("e");
        const scaled = exactOf(x).mul(k >= 0 ? Rational.of(10n ** BigInt(k)) : Rational.of(1n, 10n ** BigInt(-k)));
        const want = `${mantissa}e${Number(e) + k >= 0 ? "+" : "-"}${Math.abs(Number(e) + k)}`;
        expect(toScientific(scaled, d)).toBe(want);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
  test("0 is 0; a mantissa that rounds up to 10 carries into the exponent", () => {
    expect(toScientific(Rational.ZERO)).toBe("0");
    expect(toScientific(Rational.parse("9999/1000"), 3)).toBe("1.00e+1");
    expect(toScientific(Rational.parse("-1/3"), 2)).toBe("-3.3e-1");
  });
});

describe("float64Fit / float64OrNull", () => {
  test("agree with the conversion of the exact value of doubles and of values just outside the range", () => {
    fc.assert(
      fc.property(doubles, (x) => {
        const r = exactOf(x);
        const normal = Math.abs(x) >= 2 ** -1022;
        expect(float64Fit(r)).toBe(normal ? "ok" : "underflow");
        expect(float64OrNull(r)).toBe(normal ? x : null);
      }),
      { seed: SEED, numRuns: 500 },
    );
    const max = exactOf(Number.MAX_VALUE);
    expect(float64Fit(max.mul(Rational.int(2)))).toBe("overflow");
    expect(float64Fit(max.neg().mul(Rational.int(2)))).toBe("overflow");
    expect(float64OrNull(max.mul(Rational.int(2)))).toBeNull();
    expect(float64Fit(Rational.of(1n, 10n ** 400n))).toBe("underflow");
    expect(float64Fit(Rational.ZERO)).toBe("ok");
  });
});
