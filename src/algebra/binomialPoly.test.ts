import { describe, expect, test } from "vitest";
import { BinomialPoly } from "./binomialPoly.js";

const p = BinomialPoly.of([3n, -2n, 5n]); // 3 − 2x + 5·C(x,2)
const q = BinomialPoly.of([1n, 0n, 0n, 2n]);
const direct = (b: BinomialPoly, x: number) => Number(b.evaluate(BigInt(x)));

describe("BinomialPoly", () => {
  test("product agrees with pointwise products", () => {
    const r = p.mul(q);
    for (let x = 0; x < 12; x++) expect(direct(r, x)).toBe(direct(p, x) * direct(q, x));
  });
  test("prefix sums agree with brute-force sums", () => {
    const s = p.prefixStrict();
    const w = p.prefixWeak();
    for (let x = 0; x < 12; x++) {
      let acc = 0;
      for (let y = 0; y < x; y++) acc += direct(p, y);
      expect(direct(s, x)).toBe(acc);
      expect(direct(w, x)).toBe(acc + direct(p, x));
    }
  });
});
