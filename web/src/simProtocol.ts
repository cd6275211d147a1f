/**
 * Messages between the prediction view and the simulation worker.
 *
 * @module
 */
import type { ExplorerState } from "./state.js";

export type SimRequest =
  | { readonly kind: "start"; readonly state: ExplorerState; readonly generation: number }
  | { readonly kind: "pause" }
  | { readonly kind: "resume" };

export interface SimPoint {
  readonly eta: number;
  /** Mean test loss over the finished runs, its standard error, and the number of runs. */
  readonly mean: number;
  readonly stderr: number;
  readonly n: number;
  /** Runs whose weights overflowed (left out of the mean). */
  readonly diverged: number;
}

/** A value estimated from samples, with its standard error. */
export interface Estimated {
  readonly value: number;
  readonly stderr: number;
}

/**
 * A prediction from diagram values estimated at θ0 (the CLI's `predict`, `predictMainJob`):
 * coefficients with standard errors, and the curves on a grid of η.
 */
export interface EstimatedPrediction {
  readonly coefficients: readonly Estimated[];
  /** Per η of the grid: polynomial predictions of orders 0..order, and the resummed one (null where not available). */
  readonly rows: readonly { readonly eta: number; readonly polynomial: readonly Estimated[]; readonly resummed: Estimated | null }[];
  /** Independent data tuples, replicas of each tie class per tuple, the estimator's seed. */
  readonly tuples: number;
  readonly replicas: number;
  readonly seed: number;
  readonly testSize: number;
  readonly diagramCount: number;
  /** Seconds the estimate took in the worker. */
  readonly seconds: number;
}

export type SimResponse =
  | {
      readonly kind: "prediction";
      readonly generation: number;
      /** Exact η-series coefficients `c_d` (as `p/q`) of `E[test loss]`; empty when {@link estimated} is given. */
      readonly coefficients: readonly string[];
      readonly T: number;
      readonly formula: string;
      /** The prediction estimated from samples (MNIST logistic regression). */
      readonly estimated?: EstimatedPrediction;
    }
  | { readonly kind: "progress"; readonly generation: number; readonly done: number; readonly total: number; readonly formula: string; readonly T: number }
  | { readonly kind: "points"; readonly generation: number; readonly points: readonly SimPoint[]; readonly runs: number; readonly runsPerSecond: number }
  | { readonly kind: "error"; readonly generation: number; readonly message: string };
