import { describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import type { ImageDataset } from "../landscapes/datasets.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { customSchedule, gdSchedule, sgdSchedule } from "../schedule/schedule.js";
import { Rng } from "../stats/rng.js";
import { InvalidArgumentError } from "../errors.js";
import { Rational } from "../algebra/rational.js";
import { trainDirect } from "./directTrainer.js";
import { LogisticSparseTrainer } from "./logisticSparse.js";
import {
  gdcBeta,
  gdcDirection,
  gdcExtraGradient,
  gdcExtraGradientFromSamples,
  gdcRegularizerGradient,
  gdcSampleCovarianceGradient,
  meanOracleGradient,
} from "./gdc.js";
import { centralDifference, dot } from "../../test/helpers/finiteDifferences.js";
import { hessianPreconditionedStep } from "./hessianUpdate.js";
import { LogisticOptimizerTrainer, solveDense } from "./logisticOptimizers.js";
import { gdcOptimizer, hessianOptimizer, odeOptimizer, type Optimizer, sdeOptimizer, sgdOptimizer, trainWithOptimizer } from "./optimizers.js";
import { tinyImageDataset } from "../../test/helpers/tinyImageData.js";
import { expectSameRunResults } from "../../test/helpers/runResults.js";

const tinyData = (): ImageDataset => tinyImageDataset(SEED + 11);

const model = new LogisticModel(tinyData());
const rnd = seededRandom(SEED + 5);
const theta0 = Float64Array.from({ length: model.dim }, () => rnd() - 0.5);
const testSet = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
const train = [0, 3, 5, 5, 9, 11];
const etas = [0.01, 0.3, 1.5];

describe("kernel-coordinate GDC and Hessian update = direct training on θ", () => {
  const trainer = new LogisticOptimizerTrainer(model, theta0, testSet);
  const cases: [string, Optimizer][] = [
    ["SGD (delegated)", sgdOptimizer(sgdSchedule(6, { batch: 2 }))],
    ["GDC β×1", gdcOptimizer(6, 4, 1)],
    ["GDC β×4", gdcOptimizer(6, 3, 4)],
    ["GDC β×1, sample-covariance estimator", gdcOptimizer(6, 4, 1, "sample-covariance")],
    ["GDC sample covariance on batches of 3", { kind: "gdc", schedule: sgdSchedule(6, { batch: 3, epochs: 2 }), betaScale: 2, estimator: "sample-covariance" }],
    ["GDC on batches of 2, shuffled", { kind: "gdc", schedule: sgdSchedule(6, { batch: 2, epochs: 2, shuffle: true }), betaScale: 2 }],
    ["Hessian update, vanilla SGD batches, λ = 0.7", hessianOptimizer(sgdSchedule(6), 0.7)],
    ["Hessian update, batch 3, λ = 2", hessianOptimizer(sgdSchedule(6, { batch: 3, epochs: 2 }), 2)],
    ["ODE, 3 sub-steps", odeOptimizer(sgdSchedule(6), 3)],
    ["ODE on GD's steps, 1 sub-step", odeOptimizer(gdSchedule(6, 4), 1)],
    ["SDE, vanilla SGD's steps, α = 4", sdeOptimizer(sgdSchedule(6), 4)],
    ["SDE, batch 2, 2 epochs shuffled, α = 2", sdeOptimizer(sgdSchedule(6, { batch: 2, epochs: 2, shuffle: true }), 2)],
    ["SDE, custom batches with per-step rates", sdeOptimizer(customSchedule(6, [[0], [1, 2], [3, 4, 5], [0, 1, 2, 3, 4, 5]], { etaScale: [1, 2, 1, 3].map((x) => Rational.of(x, 2)) }), 3)],
  ];
  for (const [name, opt] of cases) {
    test(name, () => {
      const a = trainer.run(train, opt, etas, new Rng(SEED));
      const b = trainWithOptimizer(model, theta0, train, testSet, opt, etas, new Rng(SEED), { cgIterations: 200 });
      a.forEach((r, k) => {
        const q = b[k];
        if (r.diverged !== undefined || q.diverged !== undefined) throw new Error("unexpected divergence");
        expect(r.test).toBeAllclose(q.test, { rtol: 1e-9 });
        expect(r.train).toBeAllclose(q.train, { rtol: 1e-9 });
      });
    });
  }
  test("ODE with 1 sub-step is GD; SDE differs from the ODE by noise (different seeds differ)", () => {
    const a = trainer.run(train, odeOptimizer(sgdSchedule(6), 1), etas, new Rng(SEED));
    const b = trainer.run(train, sgdOptimizer(gdSchedule(6, 6)), etas, new Rng(SEED));
    a.forEach((r, k) => expect((r as { test: number }).test).toBeAllclose((b[k] as { test: number }).test, { rtol: 1e-12 }));
    const s1 = trainer.run(train, sdeOptimizer(sgdSchedule(6), 2), [0.3], new Rng(SEED));
    const s2 = trainer.run(train, sdeOptimizer(sgdSchedule(6), 2), [0.3], new Rng(SEED + 1));
    expect((s1[0] as { test: number }).test).not.toBe((s2[0] as { test: number }).test);
  });
  test("GDC with β×0 is GD", () => {
    const a = trainer.run(train, gdcOptimizer(6, 4, 0), etas, new Rng(SEED));
    const b = trainer.run(train, sgdOptimizer(gdSchedule(6, 4)), etas, new Rng(SEED));
    a.forEach((r, k) => expect(r).toEqual(expect.objectContaining({ test: expect.closeTo((b[k] as { test: number }).test, 12) })));
  });
  test("bad optimizers are rejected", () => {
    expect(() => gdcOptimizer(5, 3)).toThrow(InvalidArgumentError);
    expect(() => hessianOptimizer(sgdSchedule(4), -1)).toThrow(InvalidArgumentError);
    expect(() => trainer.run([0, 1], gdcOptimizer(6, 2), [0.1], new Rng(1))).toThrow(InvalidArgumentError);
  });
});

describe("GDC library functions", () => {
  test("gdcBeta = η(N−1)/(4N)", () => {
    expect(gdcBeta(0.1, 10)).toBeCloseTo(0.0225, 15);
    expect(gdcBeta(0.2, 1)).toBe(0);
  });
  test("the regularizer gradient is β·B·H0(g0 − g1) and the direction adds it to the mean gradient", () => {
    const batch = [1, 2, 3, 4];
    const beta = 0.3;
    const g0 = meanOracleGradient(model, theta0, [1, 2], []);
    const g1 = meanOracleGradient(model, theta0, [3, 4], []);
    const v = g0.map((x, j) => x - g1[j]);
    const h0v = meanOracleGradient(model, theta0, [1, 2], [v]);
    const extra = gdcRegularizerGradient(model, theta0, batch, beta);
    expect(Array.from(extra)).toBeAllclose(Array.from(h0v, (x) => beta * 4 * x), { rtol: 1e-12 });
    const { direction, gradient } = gdcDirection(model, theta0, batch, beta);
    expect(Array.from(gradient)).toBeAllclose(Array.from(meanOracleGradient(model, theta0, batch, [])), { rtol: 1e-12 });
    expect(Array.from(direction)).toBeAllclose(Array.from(gradient, (g, j) => g + extra[j]), { rtol: 1e-12 });
    expect(() => gdcRegularizerGradient(model, theta0, [1, 2, 3], beta)).toThrow(InvalidArgumentError);
  });
  test("gdcExtraGradient = β·∇trĈ with β = betaScale·η(N−1)/(4N), checked by finite differences of the penalty", () => {
    const batch = [1, 2, 3, 4, 6, 8];
    const eta = 0.07;
    const N = 10;
    const beta = gdcBeta(eta, N);
    const dirs = [0, 1, 2].map(() => Float64Array.from({ length: model.dim }, () => rnd() - 0.5));
    const grad = (th: Float64Array, x: number) => model.directionalGradient(th, x, []);
    const mean = (th: Float64Array, xs: readonly number[]) => meanOracleGradient(model, th, xs, []);
    // sample covariance: trĈ(θ) = (1/(B−1)) Σ_i ‖g_i(θ) − ḡ(θ)‖²
    const trC = (th: Float64Array) => {
      const gb = mean(th, batch);
      return batch.reduce((s, x) => s + grad(th, x).reduce((q, g, j) => q + (g - gb[j]) ** 2, 0), 0) / (batch.length - 1);
    };
    // split-half: the penalty's gradient is 2β·(B/2)·∇[g0(θ) · v] with v = g0 − g1 frozen at θ0
    const v = mean(theta0, batch.slice(0, 3)).map((g, j) => g - mean(theta0, batch.slice(3))[j]);
    const split = (th: Float64Array) => batch.length * dot(mean(th, batch.slice(0, 3)), v);
    const sc = gdcExtraGradient(model, theta0, batch, eta, N, { estimator: "sample-covariance", betaScale: 2 });
    const sh = gdcExtraGradient(model, theta0, batch, eta, N);
    for (const u of dirs) {
      expect(dot(sc, u)).toBeAllclose(2 * beta * centralDifference(trC, theta0, u, 1e-3)[0], { rtol: 1e-6, atol: 1e-12 });
      expect(dot(sh, u)).toBeAllclose(beta * centralDifference(split, theta0, u, 1e-3)[0], { rtol: 1e-6, atol: 1e-12 });
    }
    expect(Array.from(sh)).toBeAllclose(Array.from(gdcRegularizerGradient(model, theta0, batch, beta)), { rtol: 1e-12 });
    // from per-sample gradients and Hessian-vector products (as an autodiff user has them)
    const grads = batch.map((x) => grad(theta0, x));
    const hvp = (i: number, w: Float64Array) => model.directionalGradient(theta0, batch[i], [w]);
    expect(Array.from(gdcExtraGradientFromSamples(grads, hvp, eta, N))).toBeAllclose(Array.from(sh), { rtol: 1e-10, atol: 1e-14 });
    expect(Array.from(gdcExtraGradientFromSamples(grads, hvp, eta, N, { estimator: "sample-covariance", betaScale: 2 }))).toBeAllclose(Array.from(sc), {
      rtol: 1e-10,
      atol: 1e-14,
    });
    expect(() => gdcExtraGradientFromSamples(grads.slice(0, 5), hvp, eta, N)).toThrow(InvalidArgumentError);
    expect(() => gdcExtraGradientFromSamples(grads.slice(0, 1), hvp, eta, N, { estimator: "sample-covariance" })).toThrow(InvalidArgumentError);
    expect(() => gdcExtraGradient(model, theta0, batch, eta, N, { betaScale: NaN })).toThrow(InvalidArgumentError);
  });
  test("sample covariance through an oracle that batches per-sample gradients: same numbers, one batched call", () => {
    const batch = [1, 2, 3, 4, 6, 8];
    let calls = 0;
    const batched = {
      dim: model.dim,
      directionalDerivative: model.directionalDerivative.bind(model),
      directionalGradient: model.directionalGradient.bind(model),
      directionalGradients(th: Float64Array, xs: readonly number[], dirs: readonly Float64Array[]) {
        calls++;
        const out = new Float64Array(xs.length * model.dim);
        xs.forEach((x, i) => out.set(model.directionalGradient(th, x, dirs), i * model.dim));
        return out;
      },
    };
    const plain = gdcDirection(model, theta0, batch, 0.3, "sample-covariance");
    const fast = gdcDirection(batched, theta0, batch, 0.3, "sample-covariance");
    expect(calls).toBe(1);
    expect(Array.from(fast.direction)).toBeAllclose(Array.from(plain.direction), { rtol: 1e-12, atol: 1e-15 });
    expect(Array.from(fast.gradient)).toBeAllclose(Array.from(meanOracleGradient(model, theta0, batch, [])), { rtol: 1e-12, atol: 1e-15 });
    expect(Array.from(gdcSampleCovarianceGradient(batched, theta0, batch, 0.3))).toBeAllclose(Array.from(plain.direction, (d, j) => d - plain.gradient[j]), { rtol: 1e-9, atol: 1e-14 });
    expect(() => gdcDirection(model, theta0, [1], 0.3, "sample-covariance")).toThrow(InvalidArgumentError);
  });
  test("both estimators average to ∇trC over all ordered pairs of a population", () => {
    // Population = 6 data with uniform weights; batch of 2 = an ordered pair of i.i.d. draws.
    const pop = [0, 1, 2, 3, 4, 5];
    const P = model.dim;
    const mean = new Float64Array(P);
    const meanCov = new Float64Array(P);
    for (const a of pop) for (const b of pop) {
      const e = gdcRegularizerGradient(model, theta0, [a, b], 1);
      const f = gdcSampleCovarianceGradient(model, theta0, [a, b], 1);
      for (let j = 0; j < P; j++) {
        mean[j] += e[j] / 36;
        meanCov[j] += f[j] / 36;
      }
    }
    // ∇trC = 2(E[H_x g_x] − H G) computed directly.
    const G = meanOracleGradient(model, theta0, pop, []);
    const HG = meanOracleGradient(model, theta0, pop, [G]);
    const Hg = new Float64Array(P);
    for (const x of pop) {
      const v = model.directionalGradient(theta0, x, [model.directionalGradient(theta0, x, [])]);
      for (let j = 0; j < P; j++) Hg[j] += v[j] / pop.length;
    }
    expect(Array.from(mean)).toBeAllclose(Array.from(Hg, (x, j) => 2 * (x - HG[j])), { rtol: 1e-9, atol: 1e-12 });
    expect(Array.from(meanCov)).toBeAllclose(Array.from(Hg, (x, j) => 2 * (x - HG[j])), { rtol: 1e-9, atol: 1e-12 });
  });
});

describe("Hessian-preconditioned step", () => {
  test("CG solves (I + ληH)d = ηg (checked against a dense solve of the assembled Hessian)", () => {
    const batch = [2, 7];
    const eta = 0.4;
    const lambda = 1.3;
    const P = model.dim;
    const H = new Float64Array(P * P);
    for (let j = 0; j < P; j++) {
      const e = new Float64Array(P);
      e[j] = 1;
      const col = meanOracleGradient(model, theta0, batch, [e]);
      for (let i = 0; i < P; i++) H[i * P + j] = (i === j ? 1 : 0) + lambda * eta * col[i];
    }
    const g = meanOracleGradient(model, theta0, batch, []);
    const exact = solveDense(H, g.map((x) => eta * x), P);
    const { step } = hessianPreconditionedStep(model, theta0, batch, eta, lambda, { iterations: 400 });
    expect(Array.from(step)).toBeAllclose(Array.from(exact), { rtol: 1e-8, atol: 1e-12 });
  });
  test("λ = 0 is the SGD step", () => {
    const { step, gradient } = hessianPreconditionedStep(model, theta0, [4], 0.2, 0);
    expect(Array.from(step)).toEqual(Array.from(gradient, (g) => 0.2 * g));
  });
});

describe("sparse θ-space logistic trainer = dense reference trainer", () => {
  const sparse = new LogisticSparseTrainer(model, theta0, testSet);
  for (const [name, s] of [
    ["vanilla", sgdSchedule(6)],
    ["batch 3, 2 epochs, shuffled", sgdSchedule(6, { batch: 3, epochs: 2, shuffle: true })],
    ["momentum 0.5", sgdSchedule(6, { momentum: Rational.of(1, 2) })],
    ["GD", gdSchedule(6, 4)],
  ] as const) {
    test(name, () => {
      expectSameRunResults(sparse.run(train, s, etas, new Rng(SEED)), trainDirect(model, theta0, train, testSet, s, etas, new Rng(SEED)));
    });
  }
  test("divergence is reported", () => {
    const [r] = sparse.run(train, sgdSchedule(6), [1e308], new Rng(SEED));
    expect(r.diverged).toBeTypeOf("number");
  });
});
