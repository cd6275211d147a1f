import { beforeAll, describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { trackBuffers } from "../numerics/bufferTracker.js";
import { initNumerics, LossOracle, MeanAccumulator, Rng, type DataMatrix, type Estimate } from "../numerics/index.js";
import { SEED } from "../../test/helpers/seed.js";
import {
  builtinLandscape,
  cubicChi,
  gaussFit,
  helix,
  meanEstimation,
  standardNormalQuadrature,
  type Landscape,
  type Population,
} from "./builtin.js";

beforeAll(async () => {
  await initNumerics();
});

/** Moments of a 1-D landscape at θ: G, H, J (means of derivatives), M2, M3 (raw moments of g). */
interface Moments1D {
  G: number;
  H: number;
  J: number;
  M2: number;
  M3: number;
}

/** Per-datum g, H, J of a 1-D landscape at θ over the rows of `data`. */
function perDatum(oracle: LossOracle, theta: Float64Array, data: DataMatrix) {
  const one = new Float64Array([1]);
  return {
    g: oracle.gradients(theta, data),
    h: oracle.hvps(theta, data, one),
    j: oracle.directionalGradients(theta, data, [one, one]),
  };
}

/** Exact moments by quadrature: weighted sums over the population. */
function exactMoments(oracle: LossOracle, theta: Float64Array, pop: Population): Moments1D {
  const { g, h, j } = perDatum(oracle, theta, pop.data);
  const w = pop.weights;
  const sum = (f: (i: number) => number) => w.reduce((acc, wi, i) => acc + wi * f(i), 0);
  return { G: sum((i) => g[i]), H: sum((i) => h[i]), J: sum((i) => j[i]), M2: sum((i) => g[i] ** 2), M3: sum((i) => g[i] ** 3) };
}

/** Monte-Carlo moments from n sampled data. */
function sampledMoments(oracle: LossOracle, theta: Float64Array, data: DataMatrix): Record<keyof Moments1D, Estimate> {
  const { g, h, j } = perDatum(oracle, theta, data);
  const acc = { G: new MeanAccumulator(), H: new MeanAccumulator(), J: new MeanAccumulator(), M2: new MeanAccumulator(), M3: new MeanAccumulator() };
  for (let i = 0; i < data.rows; i++) {
    acc.G.push(g[i]);
    acc.H.push(h[i]);
    acc.J.push(j[i]);
    acc.M2.push(g[i] ** 2);
    acc.M3.push(g[i] ** 3);
  }
  return { G: acc.G.estimate(), H: acc.H.estimate(), J: acc.J.estimate(), M2: acc.M2.estimate(), M3: acc.M3.estimate() };
}

function expectWithin5Sigma(est: Estimate, exact: number, label: string): void {
  const message = `${label}: ${est.value} ± ${est.stderr} (n = ${est.n}) vs exact ${exact}, seed ${SEED}`;
  expect(Math.abs(est.value - exact), message).toBeLessThanOrEqual(5 * est.stderr);
}

/**
 * Analytic moments at init: G, H, J, the covariance C and third cumulant S of the gradient
 * noise; the raw moments follow as M2 = C + G², M3 = S + 3GC + G³.
 */
const ANALYTIC: Record<string, { landscape: () => Landscape; moments: Moments1D; C: number; S: number }> = {
  // §I: at w = 0, g = 1 − x², H = 6w = 0, J = 6, C = E(x²−1)² = 2, S = −E(x²−1)³ = −8.
  "cubic-chi": { landscape: cubicChi, C: 2, S: -8, moments: { G: 0, H: 0, J: 6, M2: 2, M3: -8 } },
  // §J: at h = 0, g = (1 − x²)/2, H_x = x²/2, J_x = −x²/2, C = M2 = 1/2, S = −1.
  "gauss-fit": { landscape: gaussFit, C: 0.5, S: -1, moments: { G: 0, H: 0.5, J: -0.5, M2: 0.5, M3: -1 } },
  // §K with H = 0.3, S = 2, λ = 0.2 at θ0 = 0.5: G = (H+λ)θ0 = 0.25, C = S² = 4, Gaussian noise.
  "mean-estimation": {
    landscape: () => meanEstimation({ H: 0.3, S: 2, lambda: 0.2, theta0: 0.5 }),
    C: 4,
    S: 0,
    moments: { G: 0.25, H: 0.5, J: 0, M2: 4 + 0.25 ** 2, M3: 3 * 0.25 * 4 + 0.25 ** 3 },
  },
};

describe.each(Object.keys(ANALYTIC))("%s: moments at init", (name) => {
  const { landscape, moments, C, S } = ANALYTIC[name];
  const l = landscape();
  const oracle = new LossOracle(l.loss, l.dim, l.dataDim);
  const theta = l.theta0(SEED);

  test("exact by Gauss–Hermite quadrature (polynomial in x)", () => {
    const quadrature = l.quadrature as Population;
    expect(quadrature.exactDegree).toBeGreaterThanOrEqual(7);
    const exact = exactMoments(oracle, theta, quadrature);
    for (const key of Object.keys(moments) as (keyof Moments1D)[]) {
      expect(exact[key], `${name} ${key}`).toBeAllclose(moments[key], { rtol: 1e-12, atol: 1e-12 });
    }
    const cov = exact.M2 - exact.G ** 2;
    const cumulant3 = exact.M3 - 3 * exact.G * exact.M2 + 2 * exact.G ** 3;
    expect(cov, `${name} C`).toBeAllclose(C, { rtol: 1e-12, atol: 1e-12 });
    expect(cumulant3, `${name} S`).toBeAllclose(S, { rtol: 1e-12, atol: 1e-12 });
  });

  test("Monte Carlo from the sampler agrees within 5 standard errors", () => {
    const data = (l.data as { sample(n: number, seed: number): DataMatrix }).sample(20_000, SEED);
    const est = sampledMoments(oracle, theta, data);
    for (const key of Object.keys(moments) as (keyof Moments1D)[]) {
      if (est[key].stderr === 0) expect(est[key].value, `${name} ${key}`).toBe(moments[key]);
      else expectWithin5Sigma(est[key], moments[key], `${name} ${key}`);
    }
  });

  test("exactTestLoss is the population mean of the loss", () => {
    const quadrature = l.quadrature as Population;
    const rng = new Rng(SEED);
    for (let trial = 0; trial < 3; trial++) {
      const t = rng.normals(l.dim).map((v) => 0.7 * v);
      const values = oracle.values(t, quadrature.data);
      const mean = values.reduce((acc, v, i) => acc + quadrature.weights[i] * v, 0);
      expect(mean).toBeAllclose((l.exactTestLoss as (t: Float64Array) => number)(t), { rtol: 1e-12, atol: 1e-13 });
    }
  });
});

describe("helix: moments at θ = 0 (exact by quadrature)", () => {
  const l = helix();
  const oracle = new LossOracle(l.loss, l.dim, l.dataDim);
  const theta = l.theta0();
  const pop = l.quadrature as Population;
  const e = [new Float64Array([1, 0, 0]), new Float64Array([0, 1, 0]), new Float64Array([0, 0, 1])];
  const weightedMeanRows = (m: Float64Array): number[] =>
    [0, 1, 2].map((c) => pop.weights.reduce((acc, w, i) => acc + w * m[i * 3 + c], 0));

  test("G = 0, H = diag(2, 1, 0), C = ½[[1,−1,0],[−1,1,0],[0,0,0]]", () => {
    const g = oracle.gradients(theta, pop.data);
    expect(weightedMeanRows(g)).toBeAllclose([0, 0, 0], { atol: 1e-14 });
    const C = [0, 1, 2].map((a) => [0, 1, 2].map((b) => pop.weights.reduce((acc, w, i) => acc + w * g[i * 3 + a] * g[i * 3 + b], 0)));
    expect(C.flat()).toBeAllclose([0.5, -0.5, 0, -0.5, 0.5, 0, 0, 0, 0], { rtol: 1e-12, atol: 1e-14 });
    const H = e.map((v) => weightedMeanRows(oracle.hvps(theta, pop.data, v)));
    expect(H.flat()).toBeAllclose([2, 0, 0, 0, 1, 0, 0, 0, 0], { rtol: 1e-12, atol: 1e-14 });
  });

  test("J_{uvz} = 1 (and permutations); every other entry of J vanishes", () => {
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const Jab = weightedMeanRows(oracle.directionalGradients(theta, pop.data, [e[a], e[b]]));
        const expected = [0, 1, 2].map((c) => (new Set([a, b, c]).size === 3 ? 1 : 0));
        expect(Jab, `J[${a},${b},·]`).toBeAllclose(expected, { rtol: 1e-12, atol: 1e-14 });
      }
    }
  });

  test("the α tilt adds α to ∂l/∂z and α·z to the test loss", () => {
    const tilted = helix({ alpha: 0.3 });
    const o = new LossOracle(tilted.loss, 3, 1);
    const t = new Float64Array([0.2, -0.1, 0.7]);
    const x = [0.4];
    const diff = Array.from(o.gradient(t, x)).map((gi, i) => gi - oracle.gradient(t, x)[i]);
    expect(diff).toBeAllclose([0, 0, 0.3], { rtol: 1e-12, atol: 1e-15 });
    expect((tilted.exactTestLoss as (t: Float64Array) => number)(t) - (l.exactTestLoss as (t: Float64Array) => number)(t)).toBeAllclose(0.21, {
      rtol: 1e-12,
    });
  });

  test("exactTestLoss is the population mean of the loss", () => {
    const t = new Float64Array([0.3, -0.8, 1.1]);
    const values = oracle.values(t, pop.data);
    const mean = values.reduce((acc, v, i) => acc + pop.weights[i] * v, 0);
    expect(mean).toBeAllclose((l.exactTestLoss as (t: Float64Array) => number)(t), { rtol: 1e-12 });
  });
});

describe("built-in landscapes: contract", () => {
  const all = (): Landscape[] => [gaussFit(), cubicChi(), helix({ alpha: 0.1 }), meanEstimation({ H: 0.1, S: 3, lambda: 0.7 })];

  test("samplers are seeded: same seed same data, an Rng gives fresh batches; x ~ N(0, 1)", () => {
    const sampler = gaussFit().data as { sample(n: number, s: number | Rng): DataMatrix };
    expect(Array.from(sampler.sample(5, 7).values)).toEqual(Array.from(sampler.sample(5, 7).values));
    const rng = new Rng(7);
    const first = sampler.sample(5, rng);
    expect(Array.from(sampler.sample(5, rng).values)).not.toEqual(Array.from(first.values));
    const big = sampler.sample(50_000, SEED);
    expect(big.rows).toBe(50_000);
    expect(big.cols).toBe(1);
    const mean = new MeanAccumulator().pushAll(big.values).estimate();
    expectWithin5Sigma(mean, 0, "E[x]");
    expectWithin5Sigma(new MeanAccumulator().pushAll(big.values.map((x) => x * x)).estimate(), 1, "E[x²]");
    expect(() => sampler.sample(-1, 1)).toThrow(InvalidArgumentError);
  });

  test("losses are jit-safe: jit on cpu reproduces eager float64 digits", () => {
    const rng = new Rng(SEED);
    for (const l of all()) {
      const eager = new LossOracle(l.loss, l.dim, l.dataDim);
      const jitted = new LossOracle(l.loss, l.dim, l.dataDim, { policy: { jit: true } });
      try {
        const t = rng.normals(l.dim);
        const data = (l.data as { sample(n: number, s: number): DataMatrix }).sample(7, SEED);
        const v = rng.normals(l.dim);
        expect(jitted.values(t, data), l.name).toBeAllclose(eager.values(t, data), { rtol: 1e-14, atol: 1e-15 });
        expect(jitted.gradients(t, data), l.name).toBeAllclose(eager.gradients(t, data), { rtol: 1e-14, atol: 1e-15 });
        expect(jitted.directionalGradients(t, data, [v, v]), l.name).toBeAllclose(eager.directionalGradients(t, data, [v, v]), {
          rtol: 1e-13,
          atol: 1e-14,
        });
      } finally {
        jitted.dispose();
      }
    }
  });

  test("losses leave no device buffers behind (eager)", async () => {
    const tracker = await trackBuffers();
    try {
      for (const l of all()) {
        const oracle = new LossOracle(l.loss, l.dim, l.dataDim);
        const t = l.theta0(SEED);
        const data = standardNormalQuadrature(4).data;
        oracle.values(t, data);
        oracle.directionalGradients(t, data, [new Float64Array(l.dim).fill(1), new Float64Array(l.dim).fill(0.5)]);
      }
      expect(tracker.live()).toBe(0);
    } finally {
      tracker.stop();
    }
  });

  test("the builtinLandscape doc example", () => {
    expect(builtinLandscape("mean-estimation", { H: 0.5, S: 10 }).dim).toBe(1);
  });

  test("shapes, names and parameters", () => {
    for (const l of all()) {
      expect(l.theta0(SEED).length).toBe(l.dim);
      expect(l.quadrature?.data.cols).toBe(l.dataDim);
      expect(builtinLandscape(l.name).name).toBe(l.name);
    }
    expect(Array.from(meanEstimation({ theta0: 2 }).theta0())).toEqual([2]);
    expect(meanEstimation().params).toEqual({ H: 1, S: 10, lambda: 0, theta0: 0 });
    expect(builtinLandscape("mean-estimation", { H: 0.5 }).params.H).toBe(0.5);
    expect(builtinLandscape("helix", { alpha: 0.2 }).params).toEqual({ alpha: 0.2 });
  });

  test("validation", () => {
    expect(() => builtinLandscape("nope")).toThrow(
      'builtinLandscape: name must be one of gauss-fit, cubic-chi, helix, mean-estimation, got "nope"',
    );
    expect(() => builtinLandscape("helix", { beta: 1 })).toThrow(InvalidArgumentError);
    expect(() => builtinLandscape("cubic-chi", { H: 1 })).toThrow(/no parameters/);
    expect(() => meanEstimation({ lambda: -1 })).toThrow("meanEstimation: lambda must be a finite number in [0, Infinity], got -1");
    expect(() => helix({ alpha: NaN })).toThrow(InvalidArgumentError);
    expect(() => (cubicChi().exactTestLoss as (t: number[]) => number)([1, 2])).toThrow(InvalidArgumentError);
  });
});
