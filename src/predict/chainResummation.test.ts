import { describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { InvalidArgumentError } from "../errors.js";
import { chainMomentSamples, resummedChainTail } from "./chainResummation.js";
import { symmetricEigen } from "./symmetricEigen.js";

/** A finite population of random symmetric `n×n` Hessians (one per datum) and its mean. */
function population(n: number, size: number, rnd: () => number) {
  const Hs = Array.from({ length: size }, () => {
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = 0.9 * (rnd() - 0.3);
    return A;
  });
  const mean = new Float64Array(n * n);
  for (const A of Hs) for (let k = 0; k < n * n; k++) mean[k] += A[k] / size;
  return { Hs, mean };
}

function apply(A: Float64Array, v: Float64Array): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i] += A[i * n + j] * v[j];
  return out;
}

describe("untied chains from independent batch HVPs", () => {
  const rnd = seededRandom(SEED + 101);
  const n = 4;
  const { Hs, mean } = population(n, 7, rnd);
  const u = Float64Array.from({ length: n }, () => rnd() - 0.5);
  const w = Float64Array.from({ length: n }, () => rnd() - 0.5);
  const exactMoments = (maxPower: number) => {
    const out: number[] = [];
    let v: Float64Array = w;
    for (let j = 0; j <= maxPower; j++) {
      if (j > 0) v = apply(mean, v);
      out.push(u.reduce((s, x, i) => s + x * v[i], 0));
    }
    return out;
  };

  test("moments u·H^j·w are unbiased (5σ) with a fresh batch per power", () => {
    const draw = seededRandom(SEED + 102);
    // Batches of 2 (with replacement): E[H_b] = H, but E[H_b²] ≠ H² — independence is what matters.
    const matvec = (v: Float64Array) => {
      const a = apply(Hs[Math.floor(draw() * Hs.length)], v);
      const b = apply(Hs[Math.floor(draw() * Hs.length)], v);
      return a.map((x, i) => (x + b[i]) / 2);
    };
    const samples = chainMomentSamples(matvec, u, w, 5, 20000);
    const exact = exactMoments(5);
    for (let j = 0; j <= 5; j++) {
      const xs = samples.map((m) => m[j]);
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      const se = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
      expect(Math.abs(m - exact[j]), `j=${j}: ${m} ± ${se} vs ${exact[j]} (seed ${SEED})`).toBeLessThanOrEqual(5 * se + 1e-12);
    }
    // Reusing one batch for every power is biased: the test above would catch it.
    const fixed = (() => {
      const i1 = 0;
      const i2 = 1;
      return (v: Float64Array) => apply(Hs[i1], v).map((x, i) => (x + apply(Hs[i2], v)[i]) / 2);
    })();
    expect(chainMomentSamples(fixed, u, w, 3, 2)[0][3]).not.toBeCloseTo(exact[3], 6);
  });

  test("with exact moments, the tail is G·[f(H) − p(H)]·G, f(h) = −(1 − (1 − ηh)^T)/h (eigendecomposition)", () => {
    const T = 7;
    const samples = chainMomentSamples((v) => apply(mean, v), u, w, T - 1, 2);
    const { values, vectors } = symmetricEigen(mean, n);
    for (const order of [0, 1, 3]) {
      const etas = [0.05, 0.3, 1.1];
      const tail = resummedChainTail(samples, T, order, etas);
      etas.forEach((eta, e) => {
        const f = (h: number) => {
          const full = Math.abs(h) < 1e-14 ? -eta * T : -(1 - (1 - eta * h) ** T) / h;
          let p = 0;
          for (let d = 1; d <= order; d++) {
            let c = 1;
            for (let i = 0; i < d; i++) c = (c * (T - i)) / (i + 1);
            p += (-eta) ** d * c * h ** (d - 1);
          }
          return full - p;
        };
        let exact = 0;
        for (let k = 0; k < n; k++) {
          let pu = 0;
          let pw = 0;
          for (let i = 0; i < n; i++) (pu += u[i] * vectors[i * n + k]), (pw += w[i] * vectors[i * n + k]);
          exact += f(values[k]) * pu * pw;
        }
        expect(tail[e].value).toBeAllclose(exact, { rtol: 1e-10, atol: 1e-14 });
        expect(tail[e].stderr).toBe(0);
      });
    }
  });

  test("rejects too few moments or chains", () => {
    const s = chainMomentSamples((v) => v, u, w, 2, 2);
    expect(() => resummedChainTail(s, 4, 1, [0.1])).toThrow(InvalidArgumentError);
    expect(() => chainMomentSamples((v) => v, u, w, 2, 1)).toThrow(InvalidArgumentError);
  });
});
