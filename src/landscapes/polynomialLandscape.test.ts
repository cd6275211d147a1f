import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { Rational, factorial } from "../algebra/rational.js";
import { InvalidArgumentError, UsageError } from "../errors.js";
import {
  type Monomial,
  type PolynomialLandscape,
  contractDerivative,
  contractDerivativeScalar,
  gradientAt,
  lossAt,
  meanLoss,
  parsePolynomialLandscape,
  polynomialLandscapeToJson,
  randomPolynomialLandscape,
} from "./polynomialLandscape.js";

const q = (s: string): Rational => Rational.parseDecimal(s);
const strs = (xs: readonly Rational[]): string[] => xs.map(String);

const EXAMPLE = {
  kind: "polynomial",
  dim: 2,
  theta0: [0.5, -0.25],
  population: [
    [
      { coef: 1.5, powers: [2, 0] },
      { coef: -0.75, powers: [1, 1] },
    ],
    [{ coef: 2, powers: [0, 3] }],
  ],
};

describe("parsePolynomialLandscape", () => {
  test("reads the documented example exactly", () => {
    const l = parsePolynomialLandscape(EXAMPLE, "landscape.json");
    expect(l.dim).toBe(2);
    expect(strs(l.theta0)).toEqual(["1/2", "-1/4"]);
    expect(l.population.map((d) => d.map((m) => [m.coef.toString(), [...m.powers]]))).toEqual([
      [
        ["3/2", [2, 0]],
        ["-3/4", [1, 1]],
      ],
      [["2", [0, 3]]],
    ]);
  });

  test("the TSDoc example", () => {
    const l = parsePolynomialLandscape({ kind: "polynomial", dim: 1, theta0: [1], population: [[{ coef: 0.5, powers: [2] }]] });
    expect(lossAt(l.population[0], l.theta0).toString()).toBe("1/2");
  });

  test("reads decimals exactly and accepts fraction strings", () => {
    const l = parsePolynomialLandscape({ kind: "polynomial", dim: 1, theta0: [0.1], population: [[{ coef: "1/3", powers: [1] }, { coef: "1e-3", powers: [0] }]] });
    expect(l.theta0[0].toString()).toBe("1/10");
    expect(strs(l.population[0].map((m) => m.coef))).toEqual(["1/3", "1/1000"]);
  });

  test("round-trips through polynomialLandscapeToJson", () => {
    const l = randomPolynomialLandscape({ seed: 3 });
    const back = parsePolynomialLandscape(JSON.parse(JSON.stringify(polynomialLandscapeToJson(l))));
    expect(polynomialLandscapeToJson(back)).toEqual(polynomialLandscapeToJson(l));
  });

  const withPop = (population: unknown) => ({ ...EXAMPLE, population });
  test.each<[string, unknown, string]>([
    ["not an object", [1, 2], "the landscape must be a JSON object, got [1,2]"],
    ["null", null, "the landscape must be a JSON object, got null"],
    ["unknown top field", { ...EXAMPLE, dims: 2 }, '"dims" is not a known field (expected kind, dim, theta0, population, description)'],
    ["wrong kind", { ...EXAMPLE, kind: "quadratic" }, 'kind must be "polynomial", got "quadratic"'],
    ["missing kind", { dim: 2, theta0: [0, 0], population: [[]] }, 'kind must be "polynomial", got nothing'],
    ["description not a string", { ...EXAMPLE, description: 3 }, "description must be a string, got 3"],
    ["dim not integer", { ...EXAMPLE, dim: 1.5 }, "dim must be an integer in [1, 1000], got 1.5"],
    ["dim zero", { ...EXAMPLE, dim: 0 }, "dim must be an integer in [1, 1000], got 0"],
    ["theta0 wrong length", { ...EXAMPLE, theta0: [1] }, "theta0 must be a list of 2 numbers, got [1]"],
    ["theta0 entry bad", { ...EXAMPLE, theta0: [1, "x"] }, 'theta0[1] must be a number or a string like "1/3" or "0.25", got "x"'],
    ["theta0 entry null", { ...EXAMPLE, theta0: [null, 1] }, 'theta0[0] must be a number or a string like "1/3" or "0.25", got null'],
    ["fraction with zero denominator", { ...EXAMPLE, theta0: ["1/0", 1] }, 'theta0[0] must be a number or a string like "1/3" or "0.25", got "1/0"'],
    ["population empty", withPop([]), "population must be a non-empty list of data (each a list of monomials), got []"],
    ["population missing", { kind: "polynomial", dim: 1, theta0: [0] }, "population must be a non-empty list of data (each a list of monomials), got nothing"],
    ["datum not a list", withPop([[], { coef: 1 }]), 'population[1] must be a list of monomials, got {"coef":1}'],
    ["monomial not an object", withPop([[3]]), 'population[0][0] must be an object {"coef": …, "powers": […]}, got 3'],
    ["unknown monomial field", withPop([[{ coeff: 1, powers: [1, 0] }]]), 'population[0][0]."coeff" is not a known field (expected coef, powers)'],
    ["missing coef", withPop([[{ powers: [1, 0] }]]), 'population[0][0].coef must be a number or a string like "1/3" or "0.25", got nothing'],
    ["powers too short", withPop([[], [{ coef: 1, powers: [1] }]]), "population[1][0].powers must be a list of 2 non-negative integers, got [1]"],
    ["negative power", withPop([[{ coef: 1, powers: [1, -1] }]]), "population[0][0].powers must be a list of 2 non-negative integers, got [1,-1]"],
    ["fractional power", withPop([[{ coef: 1, powers: [0.5, 0] }]]), "population[0][0].powers must be a list of 2 non-negative integers, got [0.5,0]"],
    ["huge power", withPop([[{ coef: 1, powers: [65, 0] }]]), "population[0][0].powers must be a list of exponents at most 64, got [65,0]"],
  ])("rejects %s with a one-line message naming the field", (_name, json, message) => {
    let error: unknown;
    try {
      parsePolynomialLandscape(json, "landscape.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`landscape.json: ${message}`);
    expect((error as Error).message).not.toContain("\n");
  });

  test("names the source 'landscape' by default", () => {
    expect(() => parsePolynomialLandscape({})).toThrow(/^landscape: kind must be "polynomial", got nothing$/);
  });
});

describe("randomPolynomialLandscape", () => {
  test("is deterministic in its seed and respects the options", () => {
    const a = randomPolynomialLandscape({ dim: 3, populationSize: 4, maxDegree: 4, termsPerDatum: 5, seed: 11 });
    const b = randomPolynomialLandscape({ dim: 3, populationSize: 4, maxDegree: 4, termsPerDatum: 5, seed: 11 });
    expect(polynomialLandscapeToJson(a)).toEqual(polynomialLandscapeToJson(b));
    expect(polynomialLandscapeToJson(randomPolynomialLandscape({ seed: 12 }))).not.toEqual(polynomialLandscapeToJson(randomPolynomialLandscape({ seed: 13 })));
    expect(a.dim).toBe(3);
    expect(a.theta0).toHaveLength(3);
    expect(a.population).toHaveLength(4);
    for (const d of a.population) {
      expect(d).toHaveLength(5);
      for (const m of d) {
        const deg = m.powers.reduce((s, p) => s + p, 0);
        expect(deg).toBeGreaterThanOrEqual(1);
        expect(deg).toBeLessThanOrEqual(4);
        expect(m.coef.isZero()).toBe(false);
      }
    }
  });

  test("rejects out-of-range options", () => {
    expect(() => randomPolynomialLandscape({ dim: 0 })).toThrow(InvalidArgumentError);
    expect(() => randomPolynomialLandscape({ maxDegree: 2.5 })).toThrow("randomPolynomialLandscape: maxDegree must be an integer in [1, 16], got 2.5");
  });
});

describe("derivatives", () => {
  // l(θ) = 3/2 θ0² − 3/4 θ0 θ1 + 2 θ1³ at θ = (1/2, −1/4), by hand.
  const datum: Monomial[] = [
    { coef: q("1.5"), powers: [2, 0] },
    { coef: q("-0.75"), powers: [1, 1] },
    { coef: q("2"), powers: [0, 3] },
  ];
  const theta = [q("1/2"), q("-1/4")];

  test("hand-computed loss, gradient, Hessian and third derivative", () => {
    // l = 3/8 + 3/32 − 1/32
    expect(lossAt(datum, theta).toString()).toBe("7/16");
    // ∂0 = 3θ0 − 3/4 θ1 = 3/2 + 3/16; ∂1 = −3/4 θ0 + 6θ1² = −3/8 + 3/8
    expect(strs(gradientAt(datum, theta))).toEqual(["27/16", "0"]);
    // H = [[3, −3/4], [−3/4, 12θ1]] = [[3, −3/4], [−3/4, −3]]
    const e0 = [Rational.ONE, Rational.ZERO];
    const e1 = [Rational.ZERO, Rational.ONE];
    expect(strs(contractDerivative(datum, theta, [e0]))).toEqual(["3", "-3/4"]);
    expect(strs(contractDerivative(datum, theta, [e1]))).toEqual(["-3/4", "-3"]);
    // ∇³ is 12 in slot (1,1,1) only
    expect(strs(contractDerivative(datum, theta, [e1, e1]))).toEqual(["0", "12"]);
    expect(strs(contractDerivative(datum, theta, [e0, e1]))).toEqual(["0", "0"]);
    expect(contractDerivativeScalar(datum, theta, [e1, e1, e1]).toString()).toBe("12");
    expect(contractDerivativeScalar(datum, theta, [e1, e1, e1, e1]).toString()).toBe("0");
    expect(contractDerivativeScalar(datum, theta, []).toString()).toBe("7/16");
  });

  test("rejects vectors and monomials of the wrong length", () => {
    expect(() => contractDerivative(datum, theta, [[Rational.ONE]])).toThrow(
      "contractDerivative: vectors[0] must be a vector of length 2, got 1",
    );
    expect(() => lossAt(datum, [Rational.ONE])).toThrow(InvalidArgumentError);
  });

  /**
   * Exact reference: `p(t) = l(θ + t u)` is a polynomial of degree ≤ D, so its Taylor
   * coefficients follow exactly from D+1 values (Vandermonde solve), and
   * `∇^k l[u^k] = k! · [t^k] p`. Mixed contractions follow by polarization:
   * `∇^k l[v_1..v_k] = (1/k!) Σ_{S ⊆ [k]} (−1)^{k−|S|} ∇^k l[(Σ_{r∈S} v_r)^k]`.
   */
  function diagonalDerivative(d: readonly Monomial[], at: readonly Rational[], u: readonly Rational[], k: number, degree: number): Rational {
    const ts = Array.from({ length: degree + 1 }, (_, i) => Rational.int(i));
    const values = ts.map((t) => lossAt(d, at.map((x, i) => x.add(t.mul(u[i])))));
    return taylorCoefficients(ts, values)[k].mul(Rational.int(factorial(k)));
  }
  function polarized(d: readonly Monomial[], at: readonly Rational[], vs: readonly Rational[][], degree: number): Rational {
    const k = vs.length;
    let total = Rational.ZERO;
    for (let mask = 0; mask < 1 << k; mask++) {
      const size = vs.filter((_, r) => mask & (1 << r)).length;
      const u = at.map((_, i) => vs.reduce((s, v, r) => (mask & (1 << r) ? s.add(v[i]) : s), Rational.ZERO));
      const term = diagonalDerivative(d, at, u, k, degree);
      total = (k - size) % 2 === 0 ? total.add(term) : total.sub(term);
    }
    return total.div(Rational.int(factorial(k)));
  }

  const arbVector = (P: number) => fc.array(fc.integer({ min: -3, max: 3 }).map((n) => Rational.of(n, 2)), { minLength: P, maxLength: P });

  test("contractions equal exact interpolation + polarization on random landscapes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(arbVector(3), { minLength: 4, maxLength: 4 }),
        (seed, dim, k, raw) => {
          const l = randomPolynomialLandscape({ dim, populationSize: 1, maxDegree: 4, termsPerDatum: 4, seed });
          const d = l.population[0];
          const vs = raw.slice(0, k).map((v) => v.slice(0, dim));
          const w = raw[3].slice(0, dim);
          const vectorForm = contractDerivative(d, l.theta0, vs);
          const viaVector = vectorForm.reduce((s, x, i) => s.add(x.mul(w[i])), Rational.ZERO);
          expect(viaVector.toString()).toBe(polarized(d, l.theta0, [...vs, w], 4).toString());
          expect(contractDerivativeScalar(d, l.theta0, vs).toString()).toBe(polarized(d, l.theta0, vs, 4).toString());
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  test("gradient matches a symmetric finite difference to O(h²)", () => {
    const l = randomPolynomialLandscape({ dim: 3, populationSize: 1, maxDegree: 5, termsPerDatum: 6, seed: 5 });
    const d = l.population[0];
    const h = Rational.of(1, 1_000_000);
    const g = gradientAt(d, l.theta0);
    for (let i = 0; i < 3; i++) {
      const plus = l.theta0.map((x, j) => (j === i ? x.add(h) : x));
      const minus = l.theta0.map((x, j) => (j === i ? x.sub(h) : x));
      const fd = lossAt(d, plus).sub(lossAt(d, minus)).div(h.add(h));
      expect(fd.sub(g[i]).abs().compare(Rational.of(1, 1_000_000_000))).toBe(-1);
    }
  });

  test("meanLoss is the population average", () => {
    const l: PolynomialLandscape = randomPolynomialLandscape({ dim: 2, populationSize: 4, seed: 9 });
    const theta = [q("0.3"), q("-1.7")];
    const direct = l.population.reduce((s, d) => s.add(lossAt(d, theta)), Rational.ZERO).div(Rational.int(4));
    expect(lossAt(meanLoss(l), theta).toString()).toBe(direct.toString());
  });
});

/** Exact Taylor coefficients of the polynomial through `(ts[i], values[i])` (Gauss–Jordan). */
function taylorCoefficients(ts: readonly Rational[], values: readonly Rational[]): Rational[] {
  const n = ts.length;
  const rows = ts.map((t, i) => [...Array.from({ length: n }, (_, k) => t.pow(k)), values[i]]);
  for (let c = 0; c < n; c++) {
    const p = rows.findIndex((r, i) => i >= c && !r[c].isZero());
    [rows[c], rows[p]] = [rows[p], rows[c]];
    const pivot = rows[c][c];
    rows[c] = rows[c].map((x) => x.div(pivot));
    for (let i = 0; i < n; i++) {
      if (i === c || rows[i][c].isZero()) continue;
      const f = rows[i][c];
      rows[i] = rows[i].map((x, j) => x.sub(f.mul(rows[c][j])));
    }
  }
  return rows.map((r) => r[n]);
}
