/**
 * The main job's view of the harness's {@link Model}: the model of a config bound to the one
 * optimizer the config trains with.
 *
 * @module
 */
import { loadModel, type Model, type RunSpec } from "../harness/model.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import type { RunResult } from "../simulate/runResult.js";
import { type Optimizer, sgdOptimizer } from "../simulate/optimizers.js";
import type { Rng } from "../stats/rng.js";
import type { MainJobConfig } from "./config.js";

export type { RunSpec } from "../harness/model.js";

/**
 * Many runs trained at once (LeNet/MLP: lanes of one jax-js computation), exactly as
 * `train` would train them one by one (to float rounding).
 */
export interface BatchedRuns {
  /**
   * The `train` function this batches. A simulation uses {@link BatchedRuns.train} only while
   * `setup.train` is this very function, so a setup that replaces `train` (e.g.
   * `{ ...setup, train: other }`) falls back to training run by run.
   */
  readonly batches: ModelSetup["train"];
  /** Runs per call that fill the trainer's lanes for `etaCount` learning rates. */
  runsPerCall(etaCount: number): number;
  /** `result[i]` is `batches(runs[i].trainSet, etas, runs[i].rng)`. */
  train(runs: readonly RunSpec[], etas: readonly number[]): RunResult[][];
}

/** A {@link Model} bound to one optimizer: what a main-job simulation trains. */
export interface ModelSetup {
  readonly oracle: DerivativeOracle<number>;
  readonly theta0: Float64Array;
  readonly populationSize: number;
  readonly testSet: readonly number[];
  train(trainSet: readonly number[], etas: readonly number[], rng: Rng): RunResult[];
  /** Optional batched training of many runs (see {@link BatchedRuns}). */
  readonly trainRuns?: BatchedRuns;
}

/** `model` trained with `optimizer` (batched where the model batches that optimizer). */
export function bindOptimizer(model: Model, optimizer: Optimizer): ModelSetup {
  const train: ModelSetup["train"] = (set, etas, rng) => model.train(set, optimizer, etas, rng);
  const base = { oracle: model.oracle, theta0: model.theta0, populationSize: model.populationSize, testSet: model.testSet, train };
  const { trainRuns, runsPerCall } = model;
  if (trainRuns === undefined || runsPerCall === undefined || optimizer.kind !== "sgd") return base;
  return {
    ...base,
    trainRuns: {
      batches: train,
      runsPerCall,
      train: (runs, etas) => trainRuns.call(model, runs, optimizer, etas) ?? runs.map((r) => train(r.trainSet, etas, r.rng)),
    },
  };
}

/** The harness model of a config: its data, architecture, init and test sample (`testSize` images from `seed`). */
export function configModel(c: MainJobConfig): Model {
  const user = { ...(c.userData !== undefined ? { userData: c.userData } : {}), ...(c.userModel !== undefined ? { userModel: c.userModel } : {}) };
  return loadModel({ data: c.data, model: c.model, initSeed: c.initSeed, ...user }, c.testSize, c.seed, "setupModel");
}

/**
 * Loads the data, builds the model at its init and draws the fixed held-out test sample
 * (the harness's {@link loadModel}), trained with the config's schedule (SGD family).
 *
 * @throws InvalidArgumentError for an unknown model or a test size outside `[1, data size]`.
 * @throws UsageError for LeNet/MLP before `initNumerics()` has completed.
 */
export function setupModel(c: MainJobConfig): ModelSetup {
  return bindOptimizer(configModel(c), sgdOptimizer(c.schedule));
}
