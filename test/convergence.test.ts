/**
 * The error of the order-k prediction shrinks like η^(k+1) where the exact answer is known:
 * on a polynomial landscape with a finite population, the expected test loss after SGD at a
 * given η is computed exactly (rational SGD on every training set), and compared with the
 * truncated diagram series.
 */
import { expect, test } from "vitest";
import { Rational } from "../src/algebra/rational.js";
import { gradientAt, lossAt, type PolynomialLandscape, randomPolynomialLandscape } from "../src/landscapes/polynomialLandscape.js";
import { exactSeries } from "../src/predict/exactSeries.js";
import { sgdSchedule } from "../src/schedule/schedule.js";
import { SEED } from "./helpers/seed.js";

function exactExpectedTestLoss(l: PolynomialLandscape, N: number, eta: Rational): Rational {
  const M = l.population.length;
  let total = Rational.ZERO;
  let count = 0;
  const rec = (set: number[]): void => {
    if (set.length === N) {
      let theta = [...l.theta0];
      for (const n of set) {
        const g = gradientAt(l.population[n], theta);
        theta = theta.map((x, i) => x.sub(eta.mul(g[i])));
      }
      let test = Rational.ZERO;
      for (const datum of l.population) test = test.add(lossAt(datum, theta));
      total = total.add(test.div(Rational.int(M)));
      count++;
      return;
    }
    for (let m = 0; m < M; m++) rec([...set, m]);
  };
  rec([]);
  return total.div(Rational.int(count));
}

test("order-k error ∝ η^(k+1) (halving η divides it by ≈ 2^(k+1))", () => {
  const l = randomPolynomialLandscape({ dim: 2, populationSize: 2, maxDegree: 3, termsPerDatum: 4, seed: SEED });
  const N = 3;
  const series = exactSeries(l, sgdSchedule(N), 4, "test").coefficients;
  const partial = (k: number, eta: Rational) => series.slice(0, k + 1).reduce((s, c, j) => s.add(c.mul(eta.pow(j))), Rational.ZERO);
  const eta = Rational.of(1, 400);
  const half = Rational.of(1, 800);
  const exact = exactExpectedTestLoss(l, N, eta);
  const exactHalf = exactExpectedTestLoss(l, N, half);
  for (let k = 0; k <= 3; k++) {
    const err = exact.sub(partial(k, eta)).abs().toNumber();
    const errHalf = exactHalf.sub(partial(k, half)).abs().toNumber();
    // The leading neglected term dominates at small η; skip orders whose next coefficient vanishes.
    if (series[k + 1].isZero()) continue;
    const ratio = err / errHalf;
    expect(Math.log2(ratio), `order ${k}: error ratio ${ratio} (seed ${SEED})`).toBeGreaterThan(k + 1 - 0.1);
    expect(Math.log2(ratio), `order ${k}: error ratio ${ratio} (seed ${SEED})`).toBeLessThan(k + 1 + 0.1);
  }
});
