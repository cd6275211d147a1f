/**
 * The MNIST view's prediction: the CLI's own `predict` (`predictMainJob` with
 * `defaultMainJobConfig`: zero init, 60 tuples × 10 replicas, seed 0, test loss on a fixed
 * sample of 1000 digits) on the page's subset, whose digits stand for the population. Pure
 * library code (analytic logistic derivatives, no jax-js), run in the simulation worker.
 *
 * @module
 */
import { testSample } from "../../src/harness/testSample.js";
import type { LogisticModel } from "../../src/landscapes/logistic.js";
import { defaultMainJobConfig, type MainJobConfig } from "../../src/mainJob/configDefaults.js";
import { predictMainJob } from "../../src/mainJob/predict.js";
import type { ModelSetup } from "../../src/mainJob/setup.js";
import type { Schedule } from "../../src/schedule/schedule.js";
import type { EstimatedPrediction } from "./simProtocol.js";

/** Highest order of the estimated series (the CLI's default; order 4 costs ~10× more tuples' work). */
export const MNIST_PREDICTION_ORDER = 3;
/** Points of the η grid the curves are drawn on (a multiple of 8, so the 8 measured η lie on it). */
export const MNIST_GRID_STEPS = 64;

/** The main-job config the page predicts with: the CLI's defaults, this schedule, the η grid. */
export function mnistPredictionConfig(schedule: Schedule, etaMax: number, testSize: number): MainJobConfig {
  const etas = Array.from({ length: MNIST_GRID_STEPS + 1 }, (_, i) => (etaMax * i) / MNIST_GRID_STEPS);
  return { ...defaultMainJobConfig(schedule), etas, order: MNIST_PREDICTION_ORDER, loss: "test", testSize };
}

/** The test sample the page measures and predicts on (the CLI's draw for this size and seed). */
export function mnistTestSet(model: LogisticModel, c: MainJobConfig): number[] {
  return testSample(model.data.size, c.testSize, c.seed);
}

/** Predicts the test loss after `c.schedule` at every η of `c.etas`, from statistics at the init. */
export function mnistPrediction(model: LogisticModel, c: MainJobConfig, onProgress?: (done: number, total: number) => void): EstimatedPrediction {
  const setup: ModelSetup = {
    oracle: model,
    theta0: model.theta0(c.initSeed),
    populationSize: model.data.size,
    testSet: mnistTestSet(model, c),
    train: () => {
      throw new Error("mnistPrediction: the prediction trains nothing");
    },
  };
  const r = predictMainJob(c, setup, onProgress);
  const est = (e: { value: number; stderr: number }) => ({ value: e.value, stderr: e.stderr });
  return {
    coefficients: r.coefficients.map(est),
    rows: r.rows.map((row) => ({ eta: row.eta, polynomial: row.polynomial.map(est), resummed: row.resummed && est(row.resummed) })),
    tuples: c.tuples,
    replicas: c.batch,
    seed: c.seed,
    testSize: c.testSize,
    diagramCount: r.diagramCount,
    seconds: r.seconds,
  };
}
