/**
 * Softmax, log-sum-exp and the joint cumulants of a categorical variable: the derivatives
 * of `logsumexp` that {@link LogisticModel} contracts with weight directions.
 *
 * @module
 */
import type { LogisticModel } from "./logistic.js";

export function logSumExp(z: ArrayLike<number>): number {
  let m = -Infinity;
  for (let c = 0; c < z.length; c++) m = Math.max(m, z[c]);
  let s = 0;
  for (let c = 0; c < z.length; c++) s += Math.exp(z[c] - m);
  return m + Math.log(s);
}

export function softmax(z: ArrayLike<number>): Float64Array {
  const lse = logSumExp(z);
  return Float64Array.from(z, (v) => Math.exp(v - lse));
}

const partitionCache = new Map<number, { blocks: number[][]; weight: number }[]>();

/** Set partitions of `{0..n-1}` with their cumulant weights `(|π|−1)!(−1)^{|π|−1}`. */
function partitionsWithWeights(n: number): { blocks: number[][]; weight: number }[] {
  const hit = partitionCache.get(n);
  if (hit !== undefined) return hit;
  const out: { blocks: number[][]; weight: number }[] = [];
  const rec = (i: number, blocks: number[][]): void => {
    if (i === n) {
      const k = blocks.length;
      let f = 1;
      for (let j = 2; j < k; j++) f *= j;
      out.push({ blocks: blocks.map((b) => [...b]), weight: (k % 2 === 1 ? 1 : -1) * f });
      return;
    }
    for (const b of blocks) {
      b.push(i);
      rec(i + 1, blocks);
      b.pop();
    }
    blocks.push([i]);
    rec(i + 1, blocks);
    blocks.pop();
  };
  rec(0, []);
  partitionCache.set(n, out);
  return out;
}

/** Joint cumulant `κ(X_1..X_n)` of `X_i = u_i(C)`, `C ~ p` (categorical). */
export function jointCumulant(p: ArrayLike<number>, us: readonly ArrayLike<number>[]): number {
  const n = us.length;
  const moment = new Map<number, number>();
  const m = (mask: number): number => {
    let v = moment.get(mask);
    if (v !== undefined) return v;
    v = 0;
    for (let c = 0; c < p.length; c++) {
      let prod = p[c];
      for (let i = 0; i < n; i++) if ((mask >> i) & 1) prod *= us[i][c];
      v += prod;
    }
    moment.set(mask, v);
    return v;
  };
  let k = 0;
  for (const { blocks, weight } of partitionsWithWeights(n)) {
    let prod = weight;
    for (const b of blocks) {
      let mask = 0;
      for (const i of b) mask |= 1 << i;
      prod *= m(mask);
    }
    k += prod;
  }
  return k;
}
