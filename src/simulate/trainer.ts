/**
 * The one trainer interface: a training set trained with an optimizer at every η of a list
 * (paired: the same batches at every η), one {@link RunResult} per η. The trainers of this
 * folder grew their own signatures (schedule or optimizer; an oracle, θ0 and test set per call
 * or per instance; one run or many); the adapters below put each behind {@link Trainer}, which
 * the harness's `Model` extends, so the main job and the figures train through one call.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import type { Schedule } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";
import type { BatchedTrainer } from "./batchedTrainer.js";
import type { LogisticKernelTrainer } from "./logisticKernel.js";
import type { LogisticOptimizerTrainer } from "./logisticOptimizers.js";
import type { LogisticSparseTrainer } from "./logisticSparse.js";
import { type Optimizer, trainWithOptimizer } from "./optimizers.js";
import type { RunResult } from "./runResult.js";

export type { RunResult } from "./runResult.js";

/** One run: its training set and the generator that then draws its batches. */
export interface RunSpec {
  readonly trainSet: readonly number[];
  readonly rng: Rng;
}

/** What every trainer offers: one run at every η, and optionally many runs at once. */
export interface Trainer {
  /** Trains on `trainSet` with `optimizer` at every η (paired), final test/train losses. */
  train(trainSet: readonly number[], optimizer: Optimizer, etas: readonly number[], rng: Rng): RunResult[];
  /**
   * Optional: trains many runs at once, `result[i] = train(runs[i].trainSet, optimizer, etas,
   * runs[i].rng)` (to float rounding); `null` when `optimizer` has no batched trainer.
   */
  trainRuns?(runs: readonly RunSpec[], optimizer: Optimizer, etas: readonly number[]): RunResult[][] | null;
  /** With {@link Trainer.trainRuns}: runs per call that fill the trainer's lanes for `etaCount` learning rates. */
  runsPerCall?(etaCount: number): number;
}

/** A trainer of SGD-family schedules only, as a {@link Trainer}: other optimizers are refused (one line). */
export function scheduleTrainer(where: string, run: (trainSet: readonly number[], schedule: Schedule, etas: readonly number[], rng: Rng) => RunResult[]): Trainer {
  return {
    train(trainSet, optimizer, etas, rng) {
      if (optimizer.kind !== "sgd") throw new InvalidArgumentError(where, "optimizer", "an SGD-family schedule (kind sgd)", optimizer.kind);
      return run(trainSet, optimizer.schedule, etas, rng);
    },
  };
}

/** {@link LogisticKernelTrainer} (kernel coordinates, SGD family) as a {@link Trainer}. */
export function kernelTrainer(t: LogisticKernelTrainer): Trainer {
  return scheduleTrainer("LogisticKernelTrainer", (s, schedule, etas, rng) => t.run(s, schedule, etas, rng));
}

/** {@link LogisticSparseTrainer} (θ-space sparse coordinates, SGD family) as a {@link Trainer}. */
export function sparseTrainer(t: LogisticSparseTrainer): Trainer {
  return scheduleTrainer("LogisticSparseTrainer", (s, schedule, etas, rng) => t.run(s, schedule, etas, rng));
}

/** {@link LogisticOptimizerTrainer} (kernel coordinates, every optimizer) as a {@link Trainer}. */
export function logisticOptimizerTrainer(t: LogisticOptimizerTrainer): Trainer {
  return { train: (s, optimizer, etas, rng) => t.run(s, optimizer, etas, rng) };
}

/** {@link trainWithOptimizer} (any oracle, every optimizer, on the weights) at `theta0`, tested on `testSet`, as a {@link Trainer}. */
export function oracleTrainer(oracle: DerivativeOracle<number>, theta0: Float64Array, testSet: readonly number[]): Trainer {
  return { train: (s, optimizer, etas, rng) => trainWithOptimizer(oracle, theta0, s, testSet, optimizer, etas, rng) };
}

/**
 * {@link BatchedTrainer} (many runs × η in lanes, SGD family) at `theta0`, tested on `testSet`,
 * as a {@link Trainer}; other optimizers train run by run with `others`.
 */
export function batchedTrainer(trainer: BatchedTrainer, theta0: Float64Array, testSet: readonly number[], others: Trainer): Trainer {
  const batched = (runs: readonly RunSpec[], schedule: Schedule, etas: readonly number[]) =>
    trainer.train(
      theta0,
      runs.map((r) => r.trainSet),
      testSet,
      schedule,
      etas,
      runs.map((r) => r.rng),
    );
  return {
    train: (trainSet, optimizer, etas, rng) => (optimizer.kind === "sgd" ? batched([{ trainSet, rng }], optimizer.schedule, etas)[0] : others.train(trainSet, optimizer, etas, rng)),
    trainRuns: (runs, optimizer, etas) => (optimizer.kind === "sgd" ? batched(runs, optimizer.schedule, etas) : null),
    runsPerCall: (etaCount) => trainer.runsPerGroup(etaCount),
  };
}
