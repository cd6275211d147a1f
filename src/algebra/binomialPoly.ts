import { binomial } from "./rational.js";

/**
 * An integer-valued univariate polynomial in the binomial basis:
 * `p(x) = Σ_k a_k · C(x, k)` with bigint coefficients `a_k`.
 *
 * Counting functions of the diagram engine ("number of ways to place these nodes in
 * `x` epochs") are integer-valued polynomials, and this basis keeps them in integers:
 * prefix sums are shifts (`Σ_{y<x} C(y,k) = C(x,k+1)`, the hockey-stick identity) and
 * products use `C(x,i)·C(x,j) = Σ_{k=max(i,j)}^{i+j} C(k,i)·C(i,k−j)·C(x,k)`.
 */
export class BinomialPoly {
  private constructor(readonly coeffs: readonly bigint[]) {}

  static readonly ONE = new BinomialPoly([1n]);
  static readonly ZERO = new BinomialPoly([]);

  static of(coeffs: readonly bigint[]): BinomialPoly {
    let n = coeffs.length;
    while (n > 0 && coeffs[n - 1] === 0n) n--;
    return new BinomialPoly(coeffs.slice(0, n));
  }

  isZero(): boolean {
    return this.coeffs.length === 0;
  }

  add(o: BinomialPoly): BinomialPoly {
    const n = Math.max(this.coeffs.length, o.coeffs.length);
    const out = new Array<bigint>(n);
    for (let k = 0; k < n; k++) out[k] = (this.coeffs[k] ?? 0n) + (o.coeffs[k] ?? 0n);
    return BinomialPoly.of(out);
  }

  scale(c: bigint): BinomialPoly {
    return BinomialPoly.of(this.coeffs.map((a) => a * c));
  }

  mul(o: BinomialPoly): BinomialPoly {
    if (this.isZero() || o.isZero()) return BinomialPoly.ZERO;
    const out = new Array<bigint>(this.coeffs.length + o.coeffs.length - 1).fill(0n);
    for (let i = 0; i < this.coeffs.length; i++) {
      const ai = this.coeffs[i];
      if (ai === 0n) continue;
      for (let j = 0; j < o.coeffs.length; j++) {
        const bj = o.coeffs[j];
        if (bj === 0n) continue;
        for (let k = Math.max(i, j); k <= i + j; k++) out[k] += ai * bj * binomial(k, i) * binomial(i, k - j);
      }
    }
    return BinomialPoly.of(out);
  }

  /** `q(x) = Σ_{y=0}^{x-1} p(y)`. */
  prefixStrict(): BinomialPoly {
    return BinomialPoly.of([0n, ...this.coeffs]);
  }

  /** `q(x) = Σ_{y=0}^{x} p(y)` (= prefixStrict + p). */
  prefixWeak(): BinomialPoly {
    return this.prefixStrict().add(this);
  }

  /** `p(n)` for an integer `n`. */
  evaluate(n: bigint): bigint {
    let s = 0n;
    for (let k = 0; k < this.coeffs.length; k++) if (this.coeffs[k] !== 0n) s += this.coeffs[k] * binomial(n < 0n ? 0n : n, k);
    if (n < 0n) throw new RangeError("BinomialPoly.evaluate: n must be ≥ 0");
    return s;
  }

  key(): string {
    return this.coeffs.join(",");
  }
}
