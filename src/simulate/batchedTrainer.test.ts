import { beforeAll, describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { Rational } from "../algebra/rational.js";
import { InvalidArgumentError } from "../errors.js";
import { loadDataset, type ImageDataset } from "../landscapes/datasets.js";
import { createImageModel, IMAGE_MODEL_EXACT_POLICY, type ImageModel } from "../landscapes/imageModels.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { trackBuffers } from "../numerics/bufferTracker.js";
import { initNumerics } from "../numerics/index.js";
import { customSchedule, gdSchedule, sgdSchedule, type Schedule } from "../schedule/schedule.js";
import { Rng } from "../stats/rng.js";
import { BatchedTrainer, trainMany, type BatchTrainable } from "./batchedTrainer.js";
import { trainDirect } from "./directTrainer.js";
import type { RunResult } from "./logisticKernel.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";

let data: ImageDataset;
beforeAll(async () => {
  await initNumerics();
  data = loadDataset("mnist");
});

function draw(rng: Rng, runs: number, N: number): number[][] {
  return Array.from({ length: runs }, () => Array.from({ length: N }, () => rng.int(data.size)));
}

/** Consecutive `trainDirect` calls sharing one generator: the reference of `trainMany`. */
function direct<X>(
  oracle: Parameters<typeof trainDirect<X>>[0],
  theta0: Float64Array,
  trainSets: X[][],
  testSet: X[],
  schedule: Schedule,
  etas: number[],
  seed: number,
): RunResult[][] {
  const rng = new Rng(seed);
  return trainSets.map((train) => trainDirect(oracle, theta0, train, testSet, schedule, etas, rng));
}

function expectSame(a: RunResult[][], b: RunResult[][], rtol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((row, r) =>
    row.forEach((x, k) => {
      const y = b[r][k];
      expect(x.eta).toBe(y.eta);
      if (x.diverged !== undefined || y.diverged !== undefined) {
        expect(x.diverged, `run ${r}, η = ${x.eta}`).toBe(y.diverged);
        return;
      }
      expect(x.test, `run ${r}, η = ${x.eta} (seed ${SEED})`).toBeAllclose(y.test, { rtol });
      expect(x.train, `run ${r}, η = ${x.eta} (seed ${SEED})`).toBeAllclose(y.train, { rtol });
    }),
  );
}

describe("trainMany (float64) = trainDirect", () => {
  const N = 4;
  const schedules: [string, Schedule][] = [
    ["SGD", sgdSchedule(N)],
    ["batch 2, 2 shuffled epochs, momentum 1/2", sgdSchedule(N, { batch: 2, epochs: 2, shuffle: true, momentum: Rational.of(1, 2) })],
    ["GD, 3 steps", gdSchedule(N, 3)],
    ["custom batches with per-step rates", customSchedule(N, [[0, 2], [1], [3, 1, 0]], { etaScale: [Rational.ONE, Rational.of(1, 2), Rational.of(3, 2)] })],
  ];

  test.each(schedules)("LeNet, %s", (_, schedule) => {
    const model = createImageModel("lenet", data);
    const rng = new Rng(SEED);
    const trainSets = draw(rng, 3, N);
    const testSet = draw(rng, 1, 6)[0];
    const etas = [0.05, 0.7];
    const theta0 = model.theta0(SEED);
    try {
      const got = trainMany(model, theta0, trainSets, testSet, schedule, etas, new Rng(SEED + 1), {
        policy: { dtype: "float64" },
        maxLanes: 4, // two groups: 2 runs, then 1
      });
      expectSame(got, direct(model, theta0, trainSets, testSet, schedule, etas, SEED + 1), 1e-12);
    } finally {
      model.dispose();
    }
  });

  test("large batches: gradients summed over sub-batches (GD with momentum)", () => {
    const model = createImageModel("lenet", data);
    const rng = new Rng(SEED + 7);
    const trainSets = draw(rng, 2, 5);
    const testSet = draw(rng, 1, 3)[0];
    const schedule = gdSchedule(5, 2, { momentum: Rational.of(1, 3) });
    const theta0 = model.theta0(SEED);
    try {
      // 4 lanes × 5 images > 6: sub-batches of one image per lane.
      const got = trainMany(model, theta0, trainSets, testSet, schedule, [0.1, 0.4], new Rng(0), { policy: { dtype: "float64" }, maxLaneImages: 6 });
      expectSame(got, direct(model, theta0, trainSets, testSet, schedule, [0.1, 0.4], 0), 1e-12);
    } finally {
      model.dispose();
    }
  });

  test("per-run initial weights", () => {
    const model = createImageModel("mlp", data, { hidden: 6 });
    const rng = new Rng(SEED + 2);
    const trainSets = draw(rng, 2, N);
    const testSet = draw(rng, 1, 5)[0];
    const inits = [model.theta0(1), model.theta0(2)];
    const schedule = sgdSchedule(N, { batch: 2 });
    try {
      const got = trainMany(model, inits, trainSets, testSet, schedule, [0.3], new Rng(0), { policy: { dtype: "float64" } });
      const want = trainSets.map((train, r) => trainDirect(model, inits[r], train, testSet, schedule, [0.3], new Rng(0)));
      expectSame(got, want, 1e-12);
    } finally {
      model.dispose();
    }
  });
});

describe("logistic regression: an independent cross-check", () => {
  test("jax logistic on cpu (float64) = analytic LogisticModel trained directly", () => {
    const model = createImageModel("logistic", data);
    const analytic = new LogisticModel(data);
    const rng = new Rng(SEED + 3);
    const trainSets = draw(rng, 2, 5);
    const testSet = draw(rng, 1, 8)[0];
    const schedule = sgdSchedule(5, { epochs: 2, shuffle: true });
    const etas = [0.1, 1];
    const theta0 = rng.normals(model.dim).map((x) => 0.3 * x);
    try {
      const got = trainMany(model, theta0, trainSets, testSet, schedule, etas, new Rng(SEED), { policy: IMAGE_MODEL_EXACT_POLICY });
      expectSame(got, direct(analytic, theta0, trainSets, testSet, schedule, etas, SEED), 1e-10);
    } finally {
      model.dispose();
    }
  });

});

describe("one generator per run: results do not depend on how runs are grouped", () => {
  // Shuffled epochs, so each run's batches come from its generator.
  const N = 4;
  const schedule = sgdSchedule(N, { batch: 2, epochs: 2, shuffle: true });
  const etas = [0.05, 0.4];
  const rngsOf = (n: number) => Array.from({ length: n }, (_, r) => new Rng(SEED * 1_000_003 + r));

  test("MLP (float64): = trainDirect on each run's own generator, in any grouping and call split", () => {
    const model = createImageModel("mlp", data, { hidden: 4 });
    const rng = new Rng(SEED + 9);
    const trainSets = draw(rng, 5, N);
    const testSet = draw(rng, 1, 6)[0];
    const theta0 = model.theta0(SEED);
    const want = trainSets.map((train, r) => trainDirect(model, theta0, train, testSet, schedule, etas, rngsOf(5)[r]));
    const trainer = new BatchedTrainer(model, { policy: { dtype: "float64" }, maxLanes: 4 });
    try {
      expect(trainer.runsPerGroup(etas.length)).toBe(2);
      expectSame(trainer.train(theta0, trainSets, testSet, schedule, etas, rngsOf(5)), want, 1e-12);
      // The same runs in calls of 3 and 2 (the generators are per run, so grouping is irrelevant).
      const rngs = rngsOf(5);
      const split = [
        ...trainer.train(theta0, trainSets.slice(0, 3), testSet, schedule, etas, rngs.slice(0, 3)),
        ...trainer.train(theta0, trainSets.slice(3), testSet, schedule, etas, rngs.slice(3)),
      ];
      expectSame(split, want, 1e-12);
      // trainMany with one run per call gives the same.
      const single = trainSets.map((train, r) => trainMany(model, theta0, [train], testSet, schedule, etas, [rngsOf(5)[r]], { policy: { dtype: "float64" } })[0]);
      expectSame(single, want, 1e-12);
    } finally {
      trainer.dispose();
      model.dispose();
    }
  });

  test("LeNet (float32, the default): groups of 1, 2 and 5 runs agree to float32 rounding", () => {
    const model = createImageModel("lenet", data);
    const rng = new Rng(SEED + 10);
    const trainSets = draw(rng, 5, N);
    const testSet = draw(rng, 1, 8)[0];
    const theta0 = model.theta0(SEED);
    const results = [1, 2, 5].map((runs) => trainMany(model, theta0, trainSets, testSet, schedule, etas, rngsOf(5), { maxLanes: runs * etas.length }));
    model.dispose();
    expectSame(results[1], results[0], 1e-5);
    expectSame(results[2], results[0], 1e-5);
  });

  test("a generator list of the wrong length is rejected", () => {
    const model = createImageModel("logistic", data);
    expect(() => trainMany(model, model.theta0(), [[1, 2]], [4], sgdSchedule(2), [0.1], [new Rng(0), new Rng(1)])).toThrow(
      /trainMany: rng must be one generator or one per run \(1\)/,
    );
    model.dispose();
  });
});

/** `l(θ, x) = (θ·x)²/2` on three 2-feature data, as a `BatchTrainable` and as a `DerivativeOracle`. */
const TABLE = [
  [1, 0.5],
  [0.3, -1],
  [2, 1],
];
const toy: BatchTrainable & DerivativeOracle<number> = {
  dim: 2,
  dataDim: 2,
  batchLoss(theta, x) {
    const L = theta.shape[0];
    const pred = theta.reshape([L, 1, 2]).mul(x).sum(-1); // x [S, 2] or [L, S, 2] → [L, S]
    return pred.ref.mul(pred).mul(0.5);
  },
  featureRows: (indices) => Float64Array.from(indices.flatMap((i) => TABLE[i])),
  directionalDerivative: (theta, i) => (theta[0] * TABLE[i][0] + theta[1] * TABLE[i][1]) ** 2 / 2,
  directionalGradient(theta, i) {
    const p = theta[0] * TABLE[i][0] + theta[1] * TABLE[i][1];
    return Float64Array.from(TABLE[i], (x) => p * x);
  },
};

test("a diverging lane reports the step where the weights stopped being finite", () => {
  // Each step multiplies θ by ~η: with η = 1e60 it overflows at step 5 (≈ 1e360).
  const schedule = sgdSchedule(3, { epochs: 2 });
  const etas = [0.01, 1e60, 1e200];
  const trainSets = [
    [0, 1, 2],
    [2, 2, 0],
  ];
  const theta0 = Float64Array.of(1, 1);
  const got = trainMany(toy, theta0, trainSets, [0, 1], schedule, etas, new Rng(0), { policy: { dtype: "float64" } });
  const want = direct(toy, theta0, trainSets, [0, 1], schedule, etas, 0);
  expectSame(got, want, 1e-12);
  for (const row of got) {
    expect(row[0].diverged).toBeUndefined();
    expect(row[1].diverged).toBeGreaterThan(1);
    expect(row[2].diverged).toBeLessThan(row[1].diverged ?? -1);
  }
});

/**
 * With 16 runs the float32 error is ~1e-3 of the standard error of the mean; it stays below
 * 1e-2 of it up to ~2000 runs (the stderr shrinks like 1/√runs, the error does not).
 */
test("float32 (the default) errs far less than the statistical error of the mean test loss", () => {
  const model = createImageModel("lenet", data);
  const rng = new Rng(SEED + 5);
  const runs = 16;
  const trainSets = draw(rng, runs, 10);
  const testSet = draw(rng, 1, 50)[0];
  const etas = [0.02, 0.3];
  const schedule = sgdSchedule(10);
  const theta0 = model.theta0(SEED);
  const fast = trainMany(model, theta0, trainSets, testSet, schedule, etas, new Rng(1));
  const precise = trainMany(model, theta0, trainSets, testSet, schedule, etas, new Rng(1), { policy: { dtype: "float64" } });
  model.dispose();
  const testOf = (x: RunResult) => (x.diverged === undefined ? x.test : NaN);
  const stderrOf = (xs: number[]) => {
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    return Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) / xs.length);
  };
  for (let k = 0; k < etas.length; k++) {
    const p = precise.map((row) => testOf(row[k]));
    const maxErr = Math.max(...fast.map((row, r) => Math.abs(testOf(row[k]) - p[r])));
    expect(maxErr, `η = ${etas[k]}: float32 error vs stderr ${stderrOf(p)}`).toBeLessThan(1e-2 * stderrOf(p));
    expect(maxErr).toBeLessThan(1e-5);
  }
  // Paired differences between learning rates (what the experiments report).
  const diff = (rows: RunResult[][]) => rows.map((row) => testOf(row[1]) - testOf(row[0]));
  const pd = diff(precise);
  const diffErr = Math.max(...diff(fast).map((d, r) => Math.abs(d - pd[r])));
  expect(diffErr, `paired difference: float32 error vs stderr ${stderrOf(pd)}`).toBeLessThan(1e-2 * stderrOf(pd));
});

test("final losses are evaluated in float64 with accurate transcendentals, also after float32 training", () => {
  // η = 0 leaves θ0 (rounded to float32) unchanged, so the reported losses must be the default
  // policy's float64 mean losses of those weights: to 1e-12, where a float32 evaluation errs by ~1e-7.
  const model = createImageModel("lenet", data);
  const rng = new Rng(SEED + 7);
  const trainSets = draw(rng, 2, 4);
  const testSet = draw(rng, 1, 6)[0];
  const theta0 = model.theta0(SEED);
  const rounded = Float64Array.from(Float32Array.from(theta0));
  try {
    const out = trainMany(model, theta0, trainSets, testSet, sgdSchedule(4, { batch: 2 }), [0], new Rng(3));
    out.forEach((row, r) => {
      const x = row[0];
      if (x.diverged !== undefined) throw new Error("diverged");
      expect(x.test, `run ${r} test loss`).toBeAllclose(model.meanLoss(rounded, testSet), { rtol: 1e-12 });
      expect(x.train, `run ${r} train loss`).toBeAllclose(model.meanLoss(rounded, trainSets[r]), { rtol: 1e-12 });
    });
  } finally {
    model.dispose();
  }
});

test("exactTestImages: float32 test losses with a float64 correction on a per-run draw agree with the float64 ones, without bias", () => {
  // Reference: the default (float64 on every test image). Fast path: float32 over every image
  // plus the float64 − float32 mean over 4 drawn images per run. Each value must be within the
  // float32 rounding of a loss (≤ 1e-6 relative), and over many draws the differences must
  // average to 0 within their standard error (the correction's expectation is exact).
  const model = createImageModel("lenet", data);
  const rng = new Rng(SEED + 8);
  const trainSets = draw(rng, 4, 4);
  const testSet = draw(rng, 1, 24)[0];
  const theta0 = model.theta0(SEED);
  const schedule = sgdSchedule(4, { batch: 2 });
  const etas = [0.05, 0.2];
  const exact = new BatchedTrainer(model);
  const fast = new BatchedTrainer(model, { exactTestImages: 4 });
  const all = new BatchedTrainer(model, { exactTestImages: 24 });
  try {
    const want = exact.train(theta0, trainSets, testSet, schedule, etas, new Rng(1));
    expect(all.train(theta0, trainSets, testSet, schedule, etas, new Rng(1))).toEqual(want);
    const diffs: number[] = [];
    for (let k = 0; k < 12; k++) {
      const got = fast.train(theta0, trainSets, testSet, schedule, etas, trainSets.map((_, r) => new Rng(100 * k + r)));
      got.forEach((row, r) =>
        row.forEach((x, e) => {
          const y = want[r][e];
          if (x.diverged !== undefined || y.diverged !== undefined) throw new Error("diverged");
          expect(x.train, "train loss stays float64 on every image").toBe(y.train);
          expect(x.test, `draw ${k}, run ${r}, η ${etas[e]}`).toBeAllclose(y.test, { rtol: 1e-6 });
          diffs.push(x.test - y.test);
        }),
      );
    }
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
    expect(sd, "the draws do move the estimate (float32 errors are corrected, not absent)").toBeGreaterThan(0);
    expect(Math.abs(mean), `mean difference ${mean} vs its standard error ${sd / Math.sqrt(diffs.length)}`).toBeLessThan(4 * (sd / Math.sqrt(diffs.length)));
  } finally {
    exact.dispose();
    fast.dispose();
    all.dispose();
    model.dispose();
  }
});

test("no device buffer outlives trainMany (momentum, two groups)", async () => {
  const model: ImageModel = createImageModel("lenet", data);
  const rng = new Rng(SEED + 6);
  const trainSets = draw(rng, 3, 4);
  const testSet = draw(rng, 1, 5)[0];
  const tracker = await trackBuffers();
  try {
    trainMany(model, model.theta0(1), trainSets, testSet, sgdSchedule(4, { batch: 2, momentum: Rational.of(1, 2) }), [0.1, 0.2], new Rng(2), {
      maxLanes: 4,
    });
    expect(tracker.allocated()).toBeGreaterThan(0);
    expect(tracker.live(), `live buffers after ${tracker.allocated()} allocations`).toBe(0);
  } finally {
    tracker.stop();
    model.dispose();
  }
});

test("validation", () => {
  const model = createImageModel("logistic", data);
  const theta0 = model.theta0();
  const s = sgdSchedule(2);
  const rng = new Rng(0);
  expect(() => trainMany(model, theta0, [[1, 2, 3]], [4], s, [0.1], rng)).toThrow(/trainMany: trainSets\[0\] must be a list of N = 2 indices/);
  expect(() => trainMany(model, theta0, [[1, 2]], [], s, [0.1], rng)).toThrow(InvalidArgumentError);
  expect(() => trainMany(model, theta0, [[1, 2]], [4], s, [NaN], rng)).toThrow(InvalidArgumentError);
  expect(() => trainMany(model, theta0.subarray(1), [[1, 2]], [4], s, [0.1], rng)).toThrow(InvalidArgumentError);
  expect(() => trainMany(model, [theta0, theta0], [[1, 2]], [4], s, [0.1], rng)).toThrow(InvalidArgumentError);
  expect(() => trainMany(model, theta0, [[1, 2e9]], [4], s, [0.1], rng)).toThrow(InvalidArgumentError);
  expect(trainMany(model, theta0, [[1, 2]], [4], s, [], rng)).toEqual([[]]);
  model.dispose();
});
