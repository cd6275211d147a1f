/**
 * `simulate --optimizer sgd|gd|gdc|hessian|ode|sde` support for the main job: the model of a
 * {@link MainJobConfig}, trained with any {@link Optimizer} instead of the config's schedule,
 * behind the same {@link ModelSetup} interface that `simulateMainJob` uses.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { Rational } from "../algebra/rational.js";
import { gdSchedule, type Schedule, stepCount } from "../schedule/schedule.js";
import {
  DEFAULT_SUBSTEPS,
  type Optimizer,
  odeOptimizer,
  sdeOptimizer,
  sgdOptimizer,
  validateOptimizer,
} from "../simulate/optimizers.js";
import type { MainJobConfig } from "./config.js";
import { bindOptimizer, configModel, type ModelSetup, setupModel } from "./setup.js";

/** Optimizer names a command line may offer. */
export const OPTIMIZER_NAMES = ["sgd", "gd", "gdc", "hessian", "ode", "sde"] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Options of {@link optimizerFor} (the `optimizer` field of a {@link MainJobConfig}). */
export interface OptimizerOptions {
  readonly betaScale?: number;
  readonly lambda?: number;
  readonly substeps?: number;
  readonly estimator?: "split-half" | "sample-covariance";
}

/**
 * The optimizer called `name` for a config: `sgd` is the config's schedule; `gd` is GD on
 * `N` points for `T` steps (the schedule's `T`, momentum and per-step rates); `gdc` is that GD
 * plus the GDC regularizer with `β = betaScale·η(N−1)/(4N)`; `hessian` the
 * Hessian-preconditioned update with strength `lambda` on the schedule's batches; `ode` gradient
 * flow on the training loss over the schedule's steps and `sde` the SDE matched to the
 * schedule's SGD, each with `substeps` sub-steps per step (default {@link DEFAULT_SUBSTEPS}).
 * @throws InvalidArgumentError for an unknown name, a missing `lambda`, or an invalid
 *   combination (momentum with gdc/hessian/ode/sde, odd `N` with gdc, …).
 */
export function optimizerFor(name: OptimizerName, c: MainJobConfig, options: OptimizerOptions = {}): Optimizer {
  const s = c.schedule;
  const T = stepCount(s);
  const gd = () => gdSchedule(s.N, T, { ...(s.momentum !== undefined ? { momentum: s.momentum } : {}), ...(s.etaScale !== undefined ? { etaScale: s.etaScale } : {}) });
  let o: Optimizer;
  switch (name) {
    case "sgd":
      o = sgdOptimizer(s);
      break;
    case "gd":
      o = sgdOptimizer(gd());
      break;
    case "gdc":
      o = { kind: "gdc", schedule: gd(), betaScale: options.betaScale ?? 1, ...(options.estimator === undefined || options.estimator === "split-half" ? {} : { estimator: options.estimator }) };
      break;
    case "hessian":
      if (options.lambda === undefined) throw new InvalidArgumentError("optimizerFor", "lambda", "a number ≥ 0 for the Hessian update", undefined);
      o = { kind: "hessian", schedule: s, lambda: options.lambda };
      break;
    case "ode":
      return odeOptimizer(s, options.substeps ?? DEFAULT_SUBSTEPS);
    case "sde":
      return sdeOptimizer(s, options.substeps ?? DEFAULT_SUBSTEPS);
    default:
      throw new InvalidArgumentError("optimizerFor", "name", `one of ${OPTIMIZER_NAMES.join(", ")}`, name);
  }
  validateOptimizer(o, "optimizerFor");
  return o;
}

/**
 * {@link setupModel} whose `train` uses `optimizer` (same data, init and test sample): the
 * harness's model of the config bound to `optimizer`.
 */
export function setupModelWithOptimizer(c: MainJobConfig, optimizer: Optimizer): ModelSetup {
  return bindOptimizer(configModel(c), optimizer);
}

/** The optimizer of a config (its `optimizer` field; the schedule's SGD when absent). */
export function configOptimizer(c: MainJobConfig): Optimizer {
  const o = c.optimizer;
  return o === undefined ? sgdOptimizer(c.schedule) : optimizerFor(o.name, c, o);
}

/**
 * The {@link ModelSetup} of a config, trained with its `optimizer` field (what the CLI and the
 * simulation worker threads build, so both train the same way). Run `r`'s training set comes
 * from the run's seed alone, so it is the same for every optimizer (paired).
 */
export function setupForConfig(c: MainJobConfig): ModelSetup {
  const config = reviveConfig(c);
  return config.optimizer === undefined ? setupModel(config) : setupModelWithOptimizer(config, configOptimizer(config));
}

/**
 * A config that crossed a worker-thread boundary (structured clone) has its schedule's
 * {@link Rational}s (momentum, per-step rates) as plain `{num, den}` objects; this rebuilds them
 * (a config with real Rationals is returned as it is).
 */
export function reviveConfig(c: MainJobConfig): MainJobConfig {
  const s = c.schedule;
  const revive = (x: Rational): Rational => (x instanceof Rational ? x : Rational.of((x as { num: bigint }).num, (x as { den: bigint }).den));
  const stale = (s.momentum !== undefined && !(s.momentum instanceof Rational)) || (s.etaScale?.some((x) => !(x instanceof Rational)) ?? false);
  if (!stale) return c;
  const schedule: Schedule = {
    ...s,
    ...(s.momentum !== undefined ? { momentum: revive(s.momentum) } : {}),
    ...(s.etaScale !== undefined ? { etaScale: s.etaScale.map(revive) } : {}),
  };
  return { ...c, schedule };
}
