/**
 * The main job's configuration: everything that determines a prediction or a simulation,
 * its defaults per model, and the stable keys that name its output and checkpoints.
 *
 * @module
 */
import type { Quantity } from "../harness/controlVariates.js";
import type { ModelName } from "../harness/model.js";
import { ensureUserInputs, type UserDataRef, type UserModelRef } from "../harness/userInputs.js";
import type { DatasetName } from "../landscapes/datasets.js";
import { initNumerics } from "../numerics/index.js";
import type { Schedule } from "../schedule/schedule.js";
import { fnv1aHex } from "../stats/hash.js";

export { MODELS, type ModelName } from "../harness/model.js";
/** What the main job predicts and measures (the harness's {@link Quantity}). */
export type MeasuredQuantity = Quantity;

/** Everything that determines a prediction or a simulation (hashed for resumable output). */
export interface MainJobConfig {
  /** A built-in data set, or `"user"` for {@link MainJobConfig.userData}. */
  readonly data: DatasetName | "user";
  /** A built-in model, or `"user"` for {@link MainJobConfig.userModel}. */
  readonly model: ModelName | "user";
  /**
   * A user's data files (`--data FILE`): paths, read options and the fingerprint of the
   * contents, so config keys and checkpoints of different data never mix.
   */
  readonly userData?: UserDataRef;
  /** A user's model file (`--model FILE`), with the fingerprint of its contents. */
  readonly userModel?: UserModelRef;
  readonly initSeed: number;
  readonly schedule: Schedule;
  readonly etas: readonly number[];
  readonly order: number;
  readonly loss: MeasuredQuantity;
  /** Simulated runs (paired across η). */
  readonly runs: number;
  /** Independent data tuples for the diagram-value estimates. */
  readonly tuples: number;
  /** Batch size per tie-class slot within a tuple (batch means for untied nodes). */
  readonly batch: number;
  /** Size of the fixed held-out test sample (the test distribution). */
  readonly testSize: number;
  readonly seed: number;
  /**
   * Train with this optimizer instead of the schedule's SGD (`setupForConfig` in
   * optimizerSetup.ts builds it; absent = the schedule). Part of {@link configKey}, so
   * checkpoints of different optimizers never mix; run `r`'s training set is the same for all.
   */
  readonly optimizer?: {
    readonly name: "sgd" | "gd" | "gdc" | "hessian" | "ode" | "sde";
    /** GDC: multiple of `β = η(N−1)/(4N)`. */
    readonly betaScale?: number;
    /** Hessian update: `λ`. */
    readonly lambda?: number;
    /** ODE/SDE: sub-steps per SGD step. */
    readonly substeps?: number;
  };
}

/** The README's default: MNIST logistic, T = N = 10, ηT up to 2, order 3, 2000 paired runs. */
export function defaultMainJobConfig(schedule: Schedule): MainJobConfig {
  return {
    data: "mnist",
    model: "logistic",
    initSeed: 0,
    schedule,
    etas: [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2],
    order: 3,
    loss: "test",
    runs: 2000,
    // 60 tuples × 10 replicas of every tie class (untied parts exact or batch means of 10):
    // standard errors of c1..c3 at or below those of the former 200 × 64 batch-mean design.
    tuples: 60,
    batch: 10,
    testSize: 1000,
    seed: 0,
  };
}

/**
 * Estimator sizes for the models whose derivatives run on jax-js, where the logistic defaults
 * (analytic derivatives) would take far too long: `predict --model lenet` takes a few minutes
 * on one core with these (LeNet: ~1–2 s per tuple for the order-3 test loss).
 */
export const JAX_MODEL_DEFAULTS: Readonly<Pick<MainJobConfig, "tuples" | "batch">> = Object.freeze({ tuples: 100, batch: 16 });

/** The defaults of a model: {@link defaultMainJobConfig}, with {@link JAX_MODEL_DEFAULTS} for LeNet, MLP and a user's model. */
export function modelDefaults(model: ModelName | "user"): Partial<MainJobConfig> {
  return model === "logistic" ? {} : { model, ...JAX_MODEL_DEFAULTS };
}

/**
 * Starts jax-js when the config's model needs it (LeNet, MLP, a user's model) and loads the
 * user's files it names unless this process has them (a worker thread); call before
 * {@link setupModel}.
 */
export async function prepareModelNumerics(c: Pick<MainJobConfig, "model" | "userData" | "userModel">): Promise<void> {
  if (c.model !== "logistic") await initNumerics();
  await ensureUserInputs(c);
}

/** Stable text of a config for naming its output (everything but the run and estimator counts). */
export function configKey(c: MainJobConfig): string {
  return fnv1aHex(JSON.stringify({ ...c, runs: undefined, tuples: undefined, batch: undefined }));
}

/**
 * Stable text of what determines the simulated runs, naming their checkpoint: {@link configKey}
 * without the measured quantity and the order (each run records test and train losses), so
 * `--loss test|train|gap` and every `--order` share one set of runs.
 */
export function simulationKey(c: MainJobConfig): string {
  return fnv1aHex(JSON.stringify({ ...c, runs: undefined, tuples: undefined, batch: undefined, loss: undefined, order: undefined }));
}


