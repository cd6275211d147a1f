/**
 * The main job's configuration type and its defaults. Pure (type imports only), so the
 * explorer page predicts with exactly the CLI's defaults; config.ts re-exports both.
 *
 * @module
 */
import type { Quantity } from "../harness/controlVariates.js";
import type { ModelName } from "../harness/model.js";
import type { DatasetName } from "../landscapes/datasets.js";
import type { Schedule } from "../schedule/schedule.js";
import type { UserDataRef, UserModelRef } from "../harness/userInputs.js";

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
