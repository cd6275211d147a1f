import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { UsageError } from "../errors.js";
import { ImageModel } from "../landscapes/imageModels.js";
import { initNumerics, isNumericsReady } from "../numerics/index.js";
import { sgdSchedule, stepCount } from "../schedule/schedule.js";
import { trainDirect } from "../simulate/directTrainer.js";
import type { RunResult } from "../simulate/runResult.js";
import {
  configKey,
  defaultMainJobConfig,
  controlVariates,
  type MainJobConfig,
  type ModelSetup,
  modelDefaults,
  runChunk,
  runOne,
  runSpec,
  setupModel,
  simulateMainJob,
  simulateMainJobParallel,
  simulationChunks,
  simulationChunkSize,
  simulationKey,
} from "./mainJob.js";
import { firstOrderMultiplier } from "../harness/controlVariates.js";
import { exactTiedPair } from "../harness/populationStats.js";

/** Tiny main jobs: N = 4 with two shuffled epochs (so every run's generator draws its batches). */
function tinyConfig(model: "lenet" | "mlp", runs = 5): MainJobConfig {
  return {
    ...defaultMainJobConfig(sgdSchedule(4, { epochs: 2, shuffle: true })),
    ...modelDefaults(model),
    etas: [0.05, 0.3],
    runs,
    testSize: 20,
    seed: SEED,
  };
}

/** The same setup trained in chunks of `size` runs (the batching is untouched). */
function withChunkSize(setup: ModelSetup, size: number): ModelSetup {
  return { ...setup, trainRuns: { ...setup.trainRuns!, runsPerCall: () => size } };
}

function expectClose(got: readonly RunResult[][], want: readonly RunResult[][], rtol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((row, r) =>
    row.forEach((x, k) => {
      const y = want[r][k];
      expect(x.diverged, `${what}: run ${r}, η = ${x.eta}`).toBe(y.diverged);
      if (!("test" in x) || !("test" in y)) return;
      expect(x.test, `${what}: run ${r}, η = ${x.eta} test (seed ${SEED})`).toBeAllclose(y.test, { rtol });
      expect(x.train, `${what}: run ${r}, η = ${x.eta} train (seed ${SEED})`).toBeAllclose(y.train, { rtol });
    }),
  );
}

test("setupModel: LeNet before initNumerics is a UsageError naming the fix", async () => {
  if (!isNumericsReady()) expect(() => setupModel(tinyConfig("lenet"))).toThrow(UsageError);
  if (!isNumericsReady()) expect(() => setupModel(tinyConfig("lenet"))).toThrow(/await initNumerics\(\)/);
  await initNumerics();
});

describe("LeNet and MLP main jobs", () => {
  beforeAll(async () => {
    await initNumerics();
  });

  test("setupModel: the jax-js image model at theta0(initSeed), the logistic test sample, batched oracle means", () => {
    const c = { ...tinyConfig("lenet"), initSeed: 3 };
    const setup = setupModel(c);
    const logistic = setupModel({ ...c, model: "logistic" });
    expect(setup.oracle).toBeInstanceOf(ImageModel);
    const model = setup.oracle as ImageModel;
    expect(model.kind).toBe("lenet");
    expect(setup.theta0).toEqual(model.theta0(3));
    expect(setup.testSet).toEqual(logistic.testSet);
    expect(setup.populationSize).toBe(logistic.populationSize);
    expect(setup.trainRuns?.batches).toBe(setup.train);
    expect(simulationChunkSize(c, setup)).toBe(128); // ⌊256 lanes / 2 η⌋
    // The predictors' batch means: the mean of the per-image directional gradients.
    const xs = [1, 5, 9];
    const v = setup.theta0.map((_, j) => Math.cos(j));
    const rows = xs.map((x) => model.directionalGradient(setup.theta0, x, [v]));
    const mean = rows[0].map((_, j) => (rows[0][j] + rows[1][j] + rows[2][j]) / 3);
    expect(model.meanDirectionalGradient(setup.theta0, xs, [v])).toBeAllclose(mean, { rtol: 1e-6, atol: 1e-9 });
  });

  for (const kind of ["lenet", "mlp"] as const) {
    test(`${kind}: the chunked simulation = training each run directly (float64 trainDirect) to float32 rounding`, () => {
      const c = tinyConfig(kind);
      const setup = setupModel(c);
      const sim = simulateMainJob(c, setup);
      expect(sim.runsDone).toBe(c.runs);
      const direct = Array.from({ length: c.runs }, (_, r) => {
        const { trainSet, rng } = runSpec(c, setup, r);
        return trainDirect(setup.oracle, setup.theta0, trainSet, setup.testSet, c.schedule, c.etas, rng);
      });
      const batched = runChunk(c, setup, 0, c.runs);
      expectClose(batched, direct, 1e-5, "batched vs direct");
      // The summary is the mean of test_r + m·slope_r, m = ηW (W = T for plain SGD) up to the
      // harness's cap (the one control-variate policy), else 0.
      const T = stepCount(c.schedule);
      const slopes = controlVariates(c, setup, c.runs, "test");
      sim.rows.forEach((row, k) => {
        const m = firstOrderMultiplier(row.eta * T);
        const mean = direct.reduce((s, res, r) => s + ("test" in res[k] ? res[k].test + m * slopes[r] : NaN), 0) / c.runs;
        expect(row.mean, `η = ${row.eta}`).toBeAllclose(mean, { rtol: 1e-5 });
      });
    });
  }

  test("results do not depend on the chunk size, on training run by run, nor on where a simulation resumed", () => {
    const c = tinyConfig("mlp", 7);
    const setup = setupModel(c);
    const all = runChunk(c, setup, 0, c.runs);
    const oneByOne = Array.from({ length: c.runs }, (_, r) => runOne(c, setup, r));
    expectClose(oneByOne, all, 1e-5, "runOne");
    const perRun = { ...setup, trainRuns: undefined };
    expect(simulationChunkSize(c, perRun)).toBe(1);
    expectClose(runChunk(c, perRun, 0, c.runs), all, 1e-5, "no batching");
    // A setup whose `train` was replaced does not use the stale batched trainer.
    const replaced: ModelSetup = { ...setup, train: (set, etas, rng) => setup.train(set, etas, rng) };
    expect(simulationChunkSize(c, replaced)).toBe(1);
    const reference = simulateMainJob(c, setup);
    for (const size of [1, 2, 3]) {
      const dir = mkdtempSync(join(tmpdir(), "sgd-diagrams-mainjob-"));
      const checkpoint = join(dir, "runs.jsonl");
      let asked = 0;
      // Stop after two chunks, then resume: the first resumed chunk is partial when 2·size ∤ … .
      const first = simulateMainJob(c, withChunkSize(setup, size), { checkpoint, shouldStop: () => ++asked > 2 });
      expect(first.interrupted).toBe(true);
      expect(first.runsDone).toBe(Math.min(c.runs, 2 * size));
      const resumed = simulateMainJob(c, withChunkSize(setup, size + 1), { checkpoint });
      expect(resumed.resumedFrom).toBe(first.runsDone);
      expect(resumed.runsDone).toBe(c.runs);
      resumed.rows.forEach((row, k) => {
        expect(row.mean, `chunks of ${size}, η = ${row.eta}`).toBeAllclose(reference.rows[k].mean, { rtol: 1e-5 });
        // The control variate leaves intervals of ~1e-4 here, so float32 rounding of the
        // trained weights (~1e-7 per run) counts in absolute terms.
        expect(row.ci95).toBeAllclose(reference.rows[k].ci95, { rtol: 1e-4, atol: 1e-7 });
      });
    }
  });

  test("simulateMainJobParallel (one thread from sources) checkpoints chunk by chunk and hears shouldStop", async () => {
    const c = tinyConfig("mlp", 6);
    const setup = withChunkSize(setupModel(c), 2);
    const checkpoint = join(mkdtempSync(join(tmpdir(), "sgd-diagrams-mainjob-")), "runs.jsonl");
    const progress: number[] = [];
    let asked = 0;
    const first = await simulateMainJobParallel(c, setup, { checkpoint, workers: 1, onProgress: (d) => progress.push(d), shouldStop: () => ++asked > 2 });
    expect(progress).toEqual([2, 4]);
    expect(first.interrupted).toBe(true);
    const rest = await simulateMainJobParallel(c, setup, { checkpoint, workers: 2 });
    expect(rest.resumedFrom).toBe(4);
    expect(rest.runsDone).toBe(6);
    const reference = simulateMainJob(c, setup);
    rest.rows.forEach((row, k) => expect(row.mean).toBeAllclose(reference.rows[k].mean, { rtol: 1e-12 }));
  });
});

test("checkpoints are shared by every measured quantity and order, not across what changes the runs", () => {
  const c = defaultMainJobConfig(sgdSchedule(10));
  expect(simulationKey({ ...c, loss: "gap", order: 2, tuples: 7 })).toBe(simulationKey(c));
  expect(configKey({ ...c, loss: "gap" })).not.toBe(configKey(c));
  for (const other of [{ model: "lenet" as const }, { initSeed: 1 }, { etas: [0.1] }, { testSize: 10 }, { seed: 1 }, { schedule: sgdSchedule(12) }]) {
    expect(simulationKey({ ...c, ...other }), JSON.stringify(other)).not.toBe(simulationKey(c));
  }
});

describe("simulationChunks", () => {
  test("boundaries at multiples of the size; a resumed start gives one short first chunk", () => {
    expect(simulationChunks(0, 7, 3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 7],
    ]);
    expect(simulationChunks(4, 7, 3)).toEqual([
      [4, 6],
      [6, 7],
    ]);
    expect(simulationChunks(7, 7, 3)).toEqual([]);
    expect(simulationChunks(2, 5, 1)).toEqual([
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
  });
  test("the chunks partition the runs whatever the size", () => {
    for (const [start, runs, size] of [
      [0, 2000, 28],
      [13, 100, 7],
      [5, 6, 128],
    ]) {
      const covered = simulationChunks(start, runs, size).flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i));
      expect(covered).toEqual(Array.from({ length: runs - start }, (_, i) => start + i));
    }
  });
});

describe("train-loss control variate (MLP: its loss at init varies over data)", () => {
  beforeAll(async () => {
    if (!isNumericsReady()) await initNumerics();
  });
  const base: MainJobConfig = { ...tinyConfig("mlp", 300), schedule: sgdSchedule(4), etas: [1e-7, 0.3] };
  test("every control variate has mean 0 over training sets (so corrected means stay unbiased) and the intervals tighten", () => {
    // The population: the first 500 images (the control variates' exact moments are over it).
    const setup = { ...setupModel(base), populationSize: 500 };
    // Zero mean, checked over 4000 training sets (within 5 standard errors, not trivially 0).
    for (const which of ["train", "test", "trainSlope"] as const) {
      const v = controlVariates(base, setup, 4000, which);
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
      expect(sd, which).toBeGreaterThan(0);
      expect(Math.abs(m), which).toBeLessThan((5 * sd) / Math.sqrt(v.length));
    }
    const results = Array.from({ length: base.runs }, (_, r) => runOne(base, setup, r));
    const ci95 = (xs: number[]) => {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      return (1.96 * Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1))) / Math.sqrt(xs.length);
    };
    const raw = (i: number, f: (x: { test: number; train: number }) => number) => results.map((run) => f(run[i] as { test: number; train: number }));
    const gap = simulateMainJob({ ...base, loss: "gap" }, setup);
    expect(gap.controlVariate).toBe(true);
    for (const i of [0, 1]) expect(gap.rows[i].ci95).toBeLessThan(0.5 * ci95(raw(i, (x) => x.test - x.train)));
    // η = 0.3 (at η = 1e-7 the test loss's spread is float32 rounding of the weights, not data).
    const test = simulateMainJob(base, setup);
    expect(test.rows[1].ci95).toBeLessThan(0.5 * ci95(raw(1, (x) => x.test)));
    // At η → 0 the corrected train loss is the population mean at θ0 up to the tiny change of training.
    const train = simulateMainJob({ ...base, loss: "train" }, setup);
    expect(train.rows[0].ci95).toBeLessThan(1e-5);
    expect(train.rows[1].ci95).toBeLessThan(0.5 * ci95(raw(1, (x) => x.train)));
  }, 60_000);
});

describe("exact tied pair of the train loss", () => {
  test("E|g|² from the population pass = the sampled values of the train loss's order-1 tied diagram (5σ)", async () => {
    const { coefficientTable } = await import("../diagrams/table.js");
    const { sampleDiagramValuesReplicated } = await import("../predict/replicatedValues.js");
    const { Rng } = await import("../stats/rng.js");
    const c: MainJobConfig = { ...defaultMainJobConfig(sgdSchedule(10)), testSize: 50, seed: SEED };
    const setup = { ...setupModel(c), populationSize: 2000 };
    const specs = [{ loss: "train" as const, diagrams: coefficientTable(c.schedule, 1, "train") }];
    const j = specs[0].diagrams.findIndex((r) => r.order === 1 && r.ties.length === 1);
    expect(j).toBeGreaterThanOrEqual(0);
    const sampled = sampleDiagramValuesReplicated(
      { oracle: setup.oracle, theta0: setup.theta0, drawTrain: (r) => r.int(setup.populationSize), drawTest: (r) => setup.testSet[r.int(setup.testSet.length)] },
      specs,
      300,
      new Rng(SEED).int(2 ** 31),
      4,
      4,
    );
    const col = sampled[0].map((row) => row[j]);
    const m = col.reduce((s, x) => s + x, 0) / col.length;
    const se = Math.sqrt(col.reduce((s, x) => s + (x - m) ** 2, 0) / (col.length - 1) / col.length);
    const exact = sampled.map((v) => v.map((row) => [...row]));
    exactTiedPair(specs, exact, setup);
    const value = exact[0][0][j];
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(m - value)).toBeLessThan(5 * se);
    expect(exact[0].every((row) => row[j] === value)).toBe(true);
  }, 60_000);
});
