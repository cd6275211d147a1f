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

export type SimResponse =
  | {
      readonly kind: "prediction";
      readonly generation: number;
      /** Exact η-series coefficients `c_d` (as `p/q`) of `E[test loss]`. */
      readonly coefficients: readonly string[];
      readonly T: number;
      readonly formula: string;
    }
  | { readonly kind: "points"; readonly generation: number; readonly points: readonly SimPoint[]; readonly runs: number; readonly runsPerSecond: number }
  | { readonly kind: "error"; readonly generation: number; readonly message: string };
