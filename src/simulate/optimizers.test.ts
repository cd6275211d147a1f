/**
 * The continuous-time optimizers (docs/theory.md#continuous-time): gradient flow (`ode`) and the SGD-matched
 * SDE (`sde`, Euler–Maruyama with √α-scaled noise) in the generic θ-space trainer.
 */
import { describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { Rational } from "../algebra/rational.js";
import { InvalidArgumentError } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import type { ImageDataset } from "../landscapes/datasets.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { gdSchedule, sgdSchedule } from "../schedule/schedule.js";
import { Z_95 } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";
import { meanOracleGradient } from "./gdc.js";
import { continuousTimeStep, odeOptimizer, sdeNoiseFactor, sdeOptimizer, sgdOptimizer, trainWithOptimizer } from "./optimizers.js";
import { tinyImageDataset } from "../../test/helpers/tinyImageData.js";

// ---------------------------------------------------------------------------------------------
// A quadratic landscape with a closed-form gradient flow: l_x(θ) = ½(θ − x)ᵀH(θ − x),
// H = Q diag(d) Qᵀ with Q a Householder reflection (so H is not diagonal).
const P = 3;
const d = [0.5, 1, 2];
const u = [1, 2, -1];
const uu = u.reduce((s, x) => s + x * x, 0);
const Q = Array.from({ length: P }, (_, i) => Array.from({ length: P }, (_, j) => (i === j ? 1 : 0) - (2 * u[i] * u[j]) / uu));
/** `Q diag(f(d)) Qᵀ v`. */
function spectral(f: (x: number) => number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(P);
  for (let k = 0; k < P; k++) {
    let c = 0;
    for (let i = 0; i < P; i++) c += Q[i][k] * v[i];
    c *= f(d[k]);
    for (let i = 0; i < P; i++) out[i] += Q[i][k] * c;
  }
  return out;
}
const Hv = (v: ArrayLike<number>) => spectral((x) => x, v);
const quadratic: DerivativeOracle<Float64Array> = {
  dim: P,
  directionalDerivative(theta, x, dirs) {
    const r = theta.map((t, j) => t - x[j]);
    if (dirs.length === 0) return 0.5 * dot(r, Hv(r));
    if (dirs.length === 1) return dot(Hv(r), dirs[0]);
    if (dirs.length === 2) return dot(Hv(dirs[0]), dirs[1]);
    return 0;
  },
  directionalGradient(theta, x, dirs) {
    if (dirs.length === 0) return Hv(theta.map((t, j) => t - x[j]));
    if (dirs.length === 1) return Hv(dirs[0]);
    return new Float64Array(P);
  },
};
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
const rq = seededRandom(SEED + 101);
const point = () => Float64Array.from({ length: P }, () => 2 * rq() - 1);
const qTrain = Array.from({ length: 6 }, point);
const qTest = Array.from({ length: 40 }, point);
const qTheta0 = Float64Array.from([1.5, -1, 0.5]);
const xbar = Float64Array.from({ length: P }, (_, j) => qTrain.reduce((s, x) => s + x[j], 0) / qTrain.length);
const testLoss = (theta: Float64Array) => qTest.reduce((s, x) => s + quadratic.directionalDerivative(theta, x, []), 0) / qTest.length;
/** θ after gradient flow for time τ (closed form), or after `steps` Euler steps of size h. */
const flow = (tau: number) => xbar.map((m, j) => m + spectral((x) => Math.exp(-x * tau), qTheta0.map((t, i) => t - xbar[i]))[j]);
const euler = (h: number, steps: number) => xbar.map((m, j) => m + spectral((x) => (1 - h * x) ** steps, qTheta0.map((t, i) => t - xbar[i]))[j]);

describe("ode: Euler sub-steps converge to the gradient flow of the training loss", () => {
  const N = qTrain.length;
  const eta = 0.15;
  const tau = eta * N; // one epoch of vanilla SGD's T = N steps
  const exact = testLoss(flow(tau));
  const run = (k: number) => {
    const [r] = trainWithOptimizer(quadratic, qTheta0, qTrain, qTest, odeOptimizer(sgdSchedule(N), k), [eta], new Rng(SEED));
    if (r.diverged !== undefined) throw new Error("diverged");
    return r.test;
  };
  test("the trainer does exactly k·T Euler steps of η/k", () => {
    for (const k of [1, 4, 16]) expect(run(k)).toBeAllclose(testLoss(euler(eta / k, k * N)), { rtol: 1e-12 });
  });
  test("error ∝ 1/substeps, → 0", () => {
    const errs = [8, 16, 32, 64].map((k) => run(k) - exact);
    for (let i = 1; i < errs.length; i++) expect(errs[i - 1] / errs[i]).toBeCloseTo(2, 1);
    expect(Math.abs(errs[3])).toBeLessThan(2e-3 * Math.abs(exact - testLoss(qTheta0)));
  });
  test("substeps = 1 is GD on all N points", () => {
    const a = trainWithOptimizer(quadratic, qTheta0, qTrain, qTest, odeOptimizer(sgdSchedule(N), 1), [0.05, 0.2], new Rng(SEED));
    const b = trainWithOptimizer(quadratic, qTheta0, qTrain, qTest, sgdOptimizer(gdSchedule(N, N)), [0.05, 0.2], new Rng(SEED));
    a.forEach((r, i) => expect((r as { test: number }).test).toBeAllclose((b[i] as { test: number }).test, { rtol: 1e-12 }));
  });
});

describe("sde on the quadratic: an Ornstein–Uhlenbeck chain whose E[test loss] is exact", () => {
  // g_n − ḡ = H(x̄ − x_n) does not depend on θ, so Euler–Maruyama is linear and Gaussian:
  // mean = Euler ODE, Σ ← MΣMᵀ + (η²/α)·f·C_N per sub-step, M = I − (η/α)H.
  const N = qTrain.length;
  const eta = 0.3;
  const alpha = 4;
  const B = 1;
  const T = N;
  const CN = (() => {
    const C = Array.from({ length: P }, () => new Float64Array(P));
    for (const x of qTrain) {
      const g = Hv(xbar.map((m, j) => m - x[j]));
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) C[i][j] += (g[i] * g[j]) / N;
    }
    return C;
  })();
  /** Exact E[test loss] of the chain with per-sub-step noise covariance `scale·C_N`. */
  const exactMean = (scale: number) => {
    let S = Array.from({ length: P }, () => new Float64Array(P));
    const h = eta / alpha;
    const M = (v: ArrayLike<number>) => Float64Array.from(v, (x, i) => x - h * Hv(v)[i]);
    for (let s = 0; s < T * alpha; s++) {
      // S ← M S Mᵀ + scale·C_N (M symmetric)
      const MS = S.map((_, i) => M(S.map((row) => row[i]))); // rows: M·(column i)
      const MSM = Array.from({ length: P }, (_, i) => M(MS.map((col) => col[i])));
      S = MSM.map((row, i) => row.map((x, j) => x + scale * CN[i][j]));
    }
    const m = euler(h, T * alpha);
    let trHS = 0;
    for (let i = 0; i < P; i++) trHS += Hv(S[i])[i];
    return testLoss(m) + 0.5 * trHS;
  };
  test("Monte Carlo mean within its 95% interval of the exact value; the unscaled (no √α) noise is rejected", () => {
    const runs = 3000;
    const vals: number[] = [];
    const opt = sdeOptimizer(sgdSchedule(N, { batch: B }), alpha);
    const seeds = new Rng(SEED + 7);
    for (let r = 0; r < runs; r++) {
      const [res] = trainWithOptimizer(quadratic, qTheta0, qTrain, qTest, opt, [eta], seeds.split());
      if (res.diverged !== undefined) throw new Error("diverged");
      vals.push(res.test);
    }
    const mean = vals.reduce((s, x) => s + x, 0) / runs;
    const se = Math.sqrt(vals.reduce((s, x) => s + (x - mean) ** 2, 0) / (runs - 1) / runs);
    const f = sdeNoiseFactor(N, B);
    const right = exactMean(((eta * eta) / alpha) * f);
    const wrong = exactMean(((eta * eta) / (alpha * alpha)) * f); // the author's code: noise not scaled by √α
    expect(Math.abs(mean - right)).toBeLessThan(1.5 * Z_95 * se);
    expect(Math.abs(mean - wrong)).toBeGreaterThan(6 * se);
  });
});

// ---------------------------------------------------------------------------------------------
// A tiny logistic model (nonlinear; gradient covariance depends on θ).
const tinyData = (): ImageDataset => tinyImageDataset(SEED + 11);
const model = new LogisticModel(tinyData());
const rnd = seededRandom(SEED + 5);
const theta0 = Float64Array.from({ length: model.dim }, () => rnd() - 0.5);
const train = [0, 3, 5, 5, 9, 11];
const testSet = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29];

describe("sde: one step matches SGD's mean and covariance to O(η)", () => {
  const N = train.length;
  const grads = train.map((x) => model.directionalGradient(theta0, x, []));
  const gbar = meanOracleGradient(model, theta0, train, []);
  const dirs: Float64Array[] = [0, 1, 2].map(() => Float64Array.from({ length: model.dim }, () => rnd() - 0.5));
  dirs.push(gbar);
  /** `uᵀ C_N v`. */
  const cov = (a: Float64Array, b: Float64Array) => grads.reduce((s, g) => s + dot(g, a) * dot(g, b), 0) / N - dot(gbar, a) * dot(gbar, b);
  for (const B of [1, 2]) {
    test(`batch ${B} (SGD: mean −ηḡ, covariance η²·f·C_N, f = ${sdeNoiseFactor(N, B).toFixed(3)})`, () => {
      const eta = 0.02;
      const M = 6000;
      const f = sdeNoiseFactor(N, B);
      const rng = new Rng(SEED + B);
      const proj: Float64Array[] = dirs.map(() => new Float64Array(M));
      for (let i = 0; i < M; i++) {
        const theta = Float64Array.from(theta0);
        continuousTimeStep(model, theta, train, eta, 4, f, rng);
        const step = theta.map((t, j) => (t - theta0[j]) / eta);
        dirs.forEach((v, q) => (proj[q][i] = dot(step, v)));
      }
      // O(η) allowances: the drift's change over the step, ‖(η/2)·H ḡ‖ projected.
      const Hg = meanOracleGradient(model, theta0, train, [gbar]);
      dirs.forEach((a, q) => {
        const m = proj[q].reduce((s, x) => s + x, 0) / M;
        const varEst = proj[q].reduce((s, x) => s + (x - m) ** 2, 0) / (M - 1);
        const seMean = Math.sqrt(varEst / M);
        expect(Math.abs(m + dot(gbar, a))).toBeLessThan(4 * seMean + eta * Math.abs(dot(Hg, a)));
        const target = f * cov(a, a);
        expect(Math.abs(varEst - target)).toBeLessThan(4 * target * Math.sqrt(2 / M) + 2.5 * eta * target);
        // an off-diagonal entry
        const b = dirs[(q + 1) % dirs.length];
        const mb = proj[(q + 1) % dirs.length].reduce((s, x) => s + x, 0) / M;
        const c = proj[q].reduce((s, x, i) => s + (x - m) * (proj[(q + 1) % dirs.length][i] - mb), 0) / (M - 1);
        const sc = Math.sqrt(cov(a, a) * cov(b, b)) * f;
        expect(Math.abs(c - f * cov(a, b))).toBeLessThan(4 * sc * Math.sqrt(2 / M) + 0.05 * sc);
      });
    });
  }
});

describe("sde: its mean equals the ODE's to first order", () => {
  // Antithetic pairs: the SDE path with noise z and with −z. Their average minus the ODE path
  // (same sub-steps) is the noise's second-order effect, O(η²) or smaller at fixed T.
  const negated = (r: Rng): Rng =>
    ({
      fillNormal(out: Float64Array) {
        r.fillNormal(out);
        for (let i = 0; i < out.length; i++) out[i] = -out[i];
        return out;
      },
    }) as unknown as Rng;
  const path = (eta: number, noise: Rng | undefined) => {
    const theta = Float64Array.from(theta0);
    for (let t = 0; t < 3; t++) continuousTimeStep(model, theta, train, eta, 4, noise === undefined ? 0 : 1, noise);
    return theta;
  };
  test("‖(θ(z) + θ(−z))/2 − θ_ODE‖ shrinks at least like η² while ‖θ(z) − θ_ODE‖ shrinks like η", () => {
    const noise = new Rng(SEED + 3);
    const rows = [0.4, 0.2, 0.1].map((eta) => {
      const ode = path(eta, undefined);
      const plus = path(eta, noise.clone());
      const minus = path(eta, negated(noise.clone()));
      const mid = plus.map((x, j) => (x + minus[j]) / 2 - ode[j]);
      return { second: Math.hypot(...mid), first: Math.hypot(...plus.map((x, j) => x - ode[j])) };
    });
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].second / rows[i - 1].second).toBeLessThan(0.3);
      expect(rows[i].first / rows[i - 1].first).toBeGreaterThan(0.4);
      expect(rows[i].first / rows[i - 1].first).toBeLessThan(0.6);
    }
  });
});

describe("ode/sde in the trainer", () => {
  test("paired: the SDE noise is the same stream at every η", () => {
    const opt = sdeOptimizer(sgdSchedule(6, { batch: 2, epochs: 2, shuffle: true }), 3);
    const both = trainWithOptimizer(model, theta0, train, testSet, opt, [0.05, 0.3], new Rng(SEED));
    const a = trainWithOptimizer(model, theta0, train, testSet, opt, [0.05], new Rng(SEED));
    const b = trainWithOptimizer(model, theta0, train, testSet, opt, [0.3], new Rng(SEED));
    expect(both).toEqual([...a, ...b]);
  });
  test("per-step learning rates scale each step's time and noise", () => {
    const half = Rational.of(1, 2);
    const s = sgdSchedule(6, { etaScale: Array.from({ length: 6 }, () => half) });
    const a = trainWithOptimizer(model, theta0, train, testSet, odeOptimizer(s, 2), [0.2], new Rng(SEED));
    const b = trainWithOptimizer(model, theta0, train, testSet, odeOptimizer(sgdSchedule(6), 2), [0.1], new Rng(SEED));
    expect((a[0] as { test: number }).test).toBeAllclose((b[0] as { test: number }).test, { rtol: 1e-12 });
  });
  test("bad optimizers are rejected", () => {
    expect(() => sdeOptimizer(sgdSchedule(6), 0)).toThrow(InvalidArgumentError);
    expect(() => odeOptimizer(sgdSchedule(6), 2.5)).toThrow(InvalidArgumentError);
    expect(() => sdeOptimizer(sgdSchedule(6, { momentum: Rational.of(1, 2) }))).toThrow(InvalidArgumentError);
    expect(() => continuousTimeStep(model, Float64Array.from(theta0), train, 0.1, 2, 1)).toThrow(InvalidArgumentError);
  });
  test("noise factor: 1 for B = 1, 0 for GD, (N−B)/((N−1)B) between", () => {
    expect(sdeNoiseFactor(10, 1)).toBe(1);
    expect(sdeNoiseFactor(10, 10)).toBe(0);
    expect(sdeNoiseFactor(10, 2)).toBeCloseTo(8 / 18, 15);
  });
});
