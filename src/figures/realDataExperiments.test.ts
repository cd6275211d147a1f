/** The real-data experiments at tiny sizes (MNIST only: it loads in seconds), and their helpers. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { makeEpochsExperiment, makeShufflingExperiment, type EpochSizes } from "./epochs.js";
import type { ExperimentContext } from "../harness/experiment.js";
import { GDC_SIZES, type GdcSizes, makeGdcExperiment } from "./gdc.js";
import { LONG_CURVE_SIZES, makeLongCurvesExperiment } from "./longCurves.js";
import { LOSS_VS_ETA_SIZES, makeGapVsEtaExperiment, makeTestVsEtaExperiment } from "./lossVsEta.js";
import { kendallTau, makeModelSelectionExperiment, MODEL_SELECTION_SIZES, ranks } from "./modelSelection.js";
import { INVHESS_SIZES, makeInvHessExperiment, makeMomentumExperiment, MOMENTUM_SIZES } from "./momentum.js";
import { plotSvg } from "../harness/output.js";
import { bankSeries, estimatorSizesFor, JAX_MODEL_ESTIMATOR_CAPS, sampleDiagramBank } from "../harness/bank.js";
import { loadModel, type Model } from "../harness/model.js";
import { pooledDataset } from "../landscapes/pooledDataset.js";
import { REAL_DATA_EXPERIMENTS } from "./realDataExperiments.js";
import { loadDataset } from "../landscapes/datasets.js";

function context(stopAfter = Infinity): ExperimentContext & { calls: number } {
  const c = {
    outDir: mkdtempSync(join(tmpdir(), "real-")),
    quick: true,
    seed: SEED % 100_000,
    calls: 0,
    progress(_label: string, done: number, total: number) {
      if (done < total) c.calls++;
    },
    shouldStop: () => c.calls >= stopAfter,
  };
  return c;
}

const BANK = { order: 3, tuples: 4, batch: 3 };
const MNIST = { data: "mnist", model: "logistic", initSeed: 0 } as const;
const tiny = <S>(s: S) => ({ quick: s, full: s });

const gdcTiny: GdcSizes = {
  ...GDC_SIZES.quick,
  etas: [0.05, 0.1],
  combos: [{ ...MNIST, initSeed: 1 }],
  betaScales: [0, 1, 2],
  mainRuns: 6,
  comboRuns: 4,
  chunk: 3,
  bank: BANK,
  testSize: 40,
  bootstrap: 20,
};

const epochTiny: EpochSizes = {
  model: MNIST,
  N: 4,
  epochs: [2],
  gdSteps: 8,
  etas: [0.05, 0.1],
  runs: 6,
  chunk: 3,
  bank: BANK,
  testSize: 40,
  shuffleProbe: { Ns: [2], epochs: 2, maxOrder: 4 },
};

describe("real-data experiments at tiny sizes", () => {
  test("all are registered, with distinct ids", () => {
    const ids = REAL_DATA_EXPERIMENTS.map((e) => e.id);
    expect(ids).toEqual(["test-vs-eta", "gap-vs-eta", "gdc", "epochs", "shuffling", "momentum", "invhess", "model-selection", "long-curves"]);
  });

  const cases = [
    makeTestVsEtaExperiment(tiny({ ...LOSS_VS_ETA_SIZES.quick, combos: [MNIST], etas: [0.01, 0.05], runs: 6, chunk: 3, ...BANK, testSize: 40, chains: { gradBatch: 20, hessBatch: 10, steps: 3 } })),
    makeGapVsEtaExperiment(tiny({ ...LOSS_VS_ETA_SIZES.quick, combos: [MNIST], etas: [0.01, 0.05], runs: 6, chunk: 3, ...BANK, testSize: 40, chains: { gradBatch: 20, hessBatch: 10, steps: 3 } })),
    makeGdcExperiment(tiny(gdcTiny)),
    makeEpochsExperiment(tiny(epochTiny)),
    makeShufflingExperiment(tiny(epochTiny)),
    makeMomentumExperiment(tiny({ ...MOMENTUM_SIZES.quick, N: 4, betas: [0, 0.5], scaledEtas: [0.1, 0.5], runs: 6, chunk: 3, bank: BANK, testSize: 40 })),
    makeInvHessExperiment(tiny({ ...INVHESS_SIZES.quick, N: 4, lambdas: [0, 3], etas: [0.05, 0.1], runs: 6, chunk: 3, bank: BANK, testSize: 40 })),
    makeModelSelectionExperiment(
      tiny({ ...MODEL_SELECTION_SIZES.quick, candidates: [MNIST, { ...MNIST, resolution: 7 }, { ...MNIST, initSeed: 1, resolution: 7 }], N: 6, epochs: 2, etas: [0.05], runs: 4, chunk: 2, bank: BANK, testSize: 40 }),
    ),
    makeLongCurvesExperiment(tiny({ ...LONG_CURVE_SIZES.quick, Ts: [4, 50], etaTs: [0.5, 5], runs: [6, 3], chunk: 3, bank: BANK, testSize: 40, chains: { gradBatch: 20, hessBatch: 10, steps: 3 } })),
  ];
  for (const exp of cases) {
    test(exp.id, async () => {
      const r = await exp.run(context());
      expect(r.id).toBe(exp.id);
      expect(r.partial ?? false).toBe(false);
      expect(r.rows.length).toBeGreaterThan(0);
      expect(r.verdict.length).toBeGreaterThan(30);
      // Status by the one rule, first in a one-line headline; pass mirrors it; every figure has a caption.
      expect(r.headline.startsWith(`${r.status} — `)).toBe(true);
      expect(r.headline).not.toContain("\n");
      if (r.partial !== true) expect(r.pass).toBe(r.status === "REPRODUCED");
      for (const p of r.plots) expect(p.caption.length, p.name).toBeGreaterThan(20);
      expect(r.plots.length).toBeGreaterThan(0);
      for (const p of r.plots) expect(await plotSvg(p), p.name).toMatch(/^<svg/);
      if (exp.id === "shuffling") {
        // The engine: no difference through η³; shuffling first matters at order 4 for N = 2.
        expect(r.rows.filter((x) => x.kind === "measured").every((x) => x.predicted_order3 === 0)).toBe(true);
        expect(r.rows.find((x) => x.kind === "engine")?.first_order_where_shuffling_matters).toBe(4);
      }
      if (exp.id === "epochs") {
        // The engine's order-η² difference equals the corrected closed form (N(E−1)/2E)·η²·G·E[H_x g_x].
        for (const x of r.rows.filter((q) => q.E === 2)) expect(x.order2 as number).toBeCloseTo(x.closed_form_order2 as number, 12);
      }
    }, 30_000);
  }

  test("--models runs only the matching models; the full run reuses their chunks and gives the same rows", async () => {
    const exp = makeGdcExperiment(tiny(gdcTiny));
    expect(exp.modelLabels?.(true)).toEqual(["mnist logistic init 0", "mnist logistic init 1"]);
    const ctx = context();
    const filtered = await exp.run({ ...ctx, models: ["INIT 1"] });
    expect(new Set(filtered.rows.filter((r) => r.model !== undefined).map((r) => r.model))).toEqual(new Set(["mnist logistic init 1"]));
    const units = Object.keys(JSON.parse(readFileSync(join(ctx.outDir, "checkpoint.json"), "utf8")).units);
    expect(units.some((u) => u.includes("init 1"))).toBe(true);
    expect(units.some((u) => u.includes("init 0"))).toBe(false);
    const resumed = await exp.run(ctx);
    const fresh = await exp.run(context());
    expect(resumed.rows).toEqual(fresh.rows);
    expect(filtered.rows.filter((r) => r.kind === "difference")).toEqual(fresh.rows.filter((r) => r.kind === "difference" && r.model === "mnist logistic init 1"));
  }, 30_000);

  test("an interrupted run resumes from its checkpoint with the same result", async () => {
    const exp = makeGdcExperiment(tiny(gdcTiny));
    const ctx = context(2);
    const first = await exp.run(ctx);
    expect(first.partial).toBe(true);
    const second = await exp.run({ ...ctx, shouldStop: () => false });
    const fresh = await exp.run(context());
    expect(second.partial ?? false).toBe(false);
    expect(second.rows).toEqual(fresh.rows);
  }, 30_000);
});

describe("helpers", () => {
  test("Kendall's τ-b and average ranks", () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(kendallTau([1, 2, 3], [1, 3, 2])).toBeCloseTo(1 / 3, 12);
    // τ-b with ties: a = (1,1,2), b = (1,2,3): C = 2, D = 0, n0 = 3, n1 = 1, n2 = 0 → 2/√6
    expect(kendallTau([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
    expect(ranks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
  });
  test("estimator sizes are capped for jax-js models only", () => {
    const sizes = { order: 3, tuples: 400, batch: 64, replicates: 16 };
    const logistic = { spec: MNIST } as Model;
    const lenet = { spec: { ...MNIST, model: "lenet" } } as Model;
    expect(estimatorSizesFor(logistic, sizes)).toEqual(sizes);
    const c = JAX_MODEL_ESTIMATOR_CAPS;
    expect(estimatorSizesFor(lenet, sizes)).toEqual({ order: 3, tuples: c.tuples, batch: c.batch, replicates: c.replicates });
    expect(estimatorSizesFor(lenet, { order: 2, tuples: 5, batch: 4 })).toEqual({ order: 2, tuples: 5, batch: 4, replicates: 4 });
  });
  test("pooled images average the pixels of each block", () => {
    const d = loadDataset("mnist");
    const p = pooledDataset(d, 14);
    expect(p.features).toBe(196);
    let s = 0;
    for (const [r, c] of [[10, 10], [10, 11], [11, 10], [11, 11]]) s += d.pixels[3 * 784 + r * 28 + c];
    expect(p.pixels[3 * 196 + 5 * 14 + 5]).toBeCloseTo(s / 4, 6);
  });
  test("the bank serves every schedule: c1 = −T·G·G for any one-epoch T", () => {
    const model = loadModel(MNIST, 40, 1)!;
    const bank = sampleDiagramBank(model, "test", 2, 5, 3, SEED);
    const c10 = bankSeries(bank, sgdSchedule(10), 2, "test").coefficients[1].value;
    const c30 = bankSeries(bank, sgdSchedule(30), 2, "test").coefficients[1].value;
    expect(c30).toBeCloseTo(3 * c10, 12);
    expect(c10).toBeLessThan(0);
  });
});

describe("simulate with any optimizer (main-job interface)", () => {
  test("GDC through setupModelWithOptimizer matches the kernel trainer; β×0 is GD", async () => {
    const { defaultMainJobConfig, simulateMainJob } = await import("../mainJob/mainJob.js");
    const { optimizerFor, setupModelWithOptimizer } = await import("../mainJob/optimizerSetup.js");
    const c = { ...defaultMainJobConfig(sgdSchedule(10)), etas: [0.05, 0.1], runs: 3, testSize: 30 };
    const gdc = simulateMainJob(c, setupModelWithOptimizer(c, optimizerFor("gdc", c)));
    const gd0 = simulateMainJob(c, setupModelWithOptimizer(c, optimizerFor("gdc", c, { betaScale: 0 })));
    const gd = simulateMainJob(c, setupModelWithOptimizer(c, optimizerFor("gd", c)));
    expect(gdc.rows.map((r) => r.runs)).toEqual([3, 3]);
    gd0.rows.forEach((r, i) => expect(r.mean).toBeCloseTo(gd.rows[i].mean, 12));
    expect(Math.abs(gdc.rows[1].mean - gd.rows[1].mean)).toBeGreaterThan(0);
    expect(() => optimizerFor("hessian", c)).toThrow(/lambda/);
  });
});

describe("paired runs through a batched trainer", () => {
  test("trainRuns gets each run's training set and batch-order stream: same results as run by run", async () => {
    const { Checkpoint } = await import("../harness/checkpoint.js");
    const { pairedRuns } = await import("../harness/pairedRuns.js");
    const { sgdOptimizer } = await import("../simulate/optimizers.js");
    const base = loadModel(MNIST, 30, 2)!;
    // Reshuffled epochs: the result depends on the batch-order stream each run receives.
    const optimizers = [sgdOptimizer(sgdSchedule(4, { epochs: 2, shuffle: true })), sgdOptimizer(sgdSchedule(4, { epochs: 3, shuffle: true }))];
    let batchedCalls = 0;
    const batched = {
      ...base,
      trainRuns(runs: readonly { trainSet: readonly number[]; rng: import("../stats/rng.js").Rng }[], o: (typeof optimizers)[number], etas: readonly number[]) {
        batchedCalls++;
        return runs.map((r) => base.train(r.trainSet, o, etas, r.rng));
      },
    };
    const run = async (model: typeof base) => {
      const ctx = context();
      const cp = Checkpoint.open(ctx.outDir, { test: "batched" });
      return (await pairedRuns(cp, ctx, "k", model, 4, optimizers, [0.05, 0.2], 5, 3))!;
    };
    const a = await run(base);
    const b = await run(batched);
    expect(batchedCalls).toBe(4); // 2 chunks × 2 optimizers
    expect(b.results).toEqual(a.results);
    expect(b.initTrainOffset).toEqual(a.initTrainOffset);
    // Different shuffles across runs (the check above could not pass by accident of equal streams).
    expect(new Set(a.results.map((r) => JSON.stringify(r[0][1]))).size).toBe(5);
  });
});
