/**
 * `simulate --optimizer sgd|gd|gdc|hessian` support for the main job: the model of a
 * {@link MainJobConfig}, trained with any {@link Optimizer} instead of the config's schedule,
 * behind the same {@link ModelSetup} interface that `simulateMainJob` uses.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { gdSchedule } from "../schedule/schedule.js";
import { LogisticOptimizerTrainer } from "../simulate/logisticOptimizers.js";
import { gdcOptimizer, hessianOptimizer, type Optimizer, sgdOptimizer, trainWithOptimizer } from "../simulate/optimizers.js";
import { type MainJobConfig, type ModelSetup, setupModel } from "./mainJob.js";

/** Optimizer names a command line may offer. */
export const OPTIMIZER_NAMES = ["sgd", "gd", "gdc", "hessian"] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/**
 * The optimizer called `name` for a config: `sgd` is the config's schedule; `gd` is GD on
 * `N` points for `T` steps (the schedule's `T`); `gdc` is GD plus the GDC regularizer with
 * `β = betaScale·η(N−1)/(4N)`; `hessian` the Hessian-preconditioned update with strength
 * `lambda` on the schedule's batches.
 * @throws InvalidArgumentError for an unknown name or a missing `lambda`.
 */
export function optimizerFor(name: OptimizerName, c: MainJobConfig, options: { betaScale?: number; lambda?: number; estimator?: "split-half" | "sample-covariance" } = {}): Optimizer {
  const s = c.schedule;
  const T = s.kind === "gd" ? s.T : s.kind === "sgd" ? (s.epochs * s.N) / s.batch : s.batches.length;
  switch (name) {
    case "sgd":
      return sgdOptimizer(s);
    case "gd":
      return sgdOptimizer(gdSchedule(s.N, T));
    case "gdc":
      return gdcOptimizer(s.N, T, options.betaScale ?? 1, options.estimator ?? "split-half");
    case "hessian":
      if (options.lambda === undefined) throw new InvalidArgumentError("optimizerFor", "lambda", "a number ≥ 0 for the Hessian update", undefined);
      return hessianOptimizer(s, options.lambda);
    default:
      throw new InvalidArgumentError("optimizerFor", "name", `one of ${OPTIMIZER_NAMES.join(", ")}`, name);
  }
}

/**
 * {@link setupModel} whose `train` uses `optimizer` (same data, init and test sample). Logistic
 * models train exactly in kernel coordinates; other models through the generic oracle trainer.
 */
export function setupModelWithOptimizer(c: MainJobConfig, optimizer: Optimizer): ModelSetup {
  const base = setupModel(c);
  if (base.oracle instanceof LogisticModel) {
    const trainer = new LogisticOptimizerTrainer(base.oracle, base.theta0, base.testSet);
    return { ...base, train: (set, etas, rng) => trainer.run(set, optimizer, etas, rng) };
  }
  if (optimizer.kind === "sgd" && optimizer.schedule === c.schedule) return base;
  return { ...base, train: (set, etas, rng) => trainWithOptimizer(base.oracle, base.theta0, set, base.testSet, optimizer, etas, rng) };
}
