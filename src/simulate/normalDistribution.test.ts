import { describe, expect, test } from "vitest";
import { erf, erfc, normalCdf, normalQuantile } from "./normalDistribution.js";

describe("normal distribution", () => {
  test("erfc and erf against reference values (mpmath)", () => {
    const ref: [number, number][] = [
      [0.1, 0.8875370839817152],
      [0.3, 0.6713732405408726],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [4, 1.541725790028002e-8],
      [5, 1.5374597944280349e-12],
      [10, 2.088487583762545e-45],
      [-1, 1.8427007929497148],
    ];
    for (const [x, v] of ref) expect(erfc(x)).toBeAllclose(v, { rtol: 1e-14 });
    expect(erf(1e-10)).toBeAllclose(1.1283791670955126e-10, { rtol: 1e-14 });
    expect(Number.isNaN(erfc(NaN))).toBe(true);
  });
  test("quantile inverts the distribution function in both tails", () => {
    for (const p of [1e-300, 1e-12, 0.001, 0.2, 0.5, 0.7, 0.999]) expect(normalCdf(normalQuantile(p))).toBeAllclose(p, { rtol: 1e-12 });
    expect(normalQuantile(0.975)).toBeAllclose(1.959963984540054, { rtol: 1e-14 });
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(1.5)).toThrow(/p must be/);
  });
});
