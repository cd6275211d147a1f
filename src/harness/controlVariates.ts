/**
 * The one control-variate policy of the harness (main job and figures): a run's final loss
 * minus zero-mean variates of its training set at θ0 (see `setVariates`), the first-order ones
 * multiplied by `ηW` (`W` the optimizer's {@link firstOrderWeight}) up to a fixed cap.
 * Subtracting any fixed multiple of a zero-mean variate keeps a mean unbiased.
 *
 * @module
 */
import type { Schedule } from "../schedule/schedule.js";
import type { RunResult } from "../simulate/runResult.js";
import { momentumOf, stepRates } from "../simulate/trainingSteps.js";

/** Which number of a run is measured: test loss, train loss, or the gap test − train. */
export type Quantity = "test" | "train" | "gap";

/**
 * `W` with `θ_T = θ0 − ηW·g + O(η²)` when every step sees the same gradient `g`: the sum of
 * the step-rate multipliers, each carried by heavy-ball momentum `β` for the remaining steps
 * (`v ← βv − η r_t g`, `θ ← θ + v`): `W = Σ_t r_t (1 − β^{T−t})/(1 − β)`. For a schedule that
 * uses every datum equally often, the first-order term of a run's loss is `−ηW·∇L·ḡ_r`.
 */
export function firstOrderWeight(schedule: Schedule): number {
  const rates = stepRates(schedule);
  const beta = momentumOf(schedule);
  let v = 0;
  let w = 0;
  for (const r of rates) {
    v = beta * v + r;
    w += v;
  }
  return w;
}

/**
 * Largest `ηW` at which the first-order fluctuations are removed: beyond it the linear term no
 * longer tracks a run's fluctuation and adding `ηW ×` a zero-mean variate would only add
 * variance. A fixed rule (not chosen from the data), so means stay unbiased.
 */
export const CONTROL_VARIATE_MAX_ETA_W = 2;

/** The multiple of the slope variates that is added: `ηW` up to {@link CONTROL_VARIATE_MAX_ETA_W}, else 0. */
export function firstOrderMultiplier(etaW: number): number {
  return etaW <= CONTROL_VARIATE_MAX_ETA_W ? etaW : 0;
}

/** The zero-mean variates of one run's training set at θ0. */
export interface RunVariates {
  /** The training set's mean loss minus the population's. */
  readonly trainOffset: number;
  /** `G_S·(ḡ_r − G)`. */
  readonly testSlope: number;
  /** `|ḡ_r|² − E|ḡ|²` (asked only for the train loss and the gap). */
  trainSlope(): number;
}

/**
 * A finished run's measured quantity minus its control variates:
 * test `+ m·testSlope`, train `− trainOffset + m·trainSlope`, `m` = {@link firstOrderMultiplier}(ηW).
 * Returns null for a diverged run.
 */
export function controlledValue(r: RunResult, q: Quantity, etaW: number, v: RunVariates): number | null {
  if (r.diverged !== undefined) return null;
  const m = firstOrderMultiplier(etaW);
  const test = r.test + m * v.testSlope;
  if (q === "test") return test;
  const train = r.train - v.trainOffset + m * v.trainSlope();
  return q === "train" ? train : test - train;
}
