/**
 * Rough wall-clock times of each `reproduce` experiment, for `reproduce --list`. Kept in the
 * CLI layer (not in the experiment registry) because they describe a machine, not the science.
 *
 * `quick`: measured once, `reproduce all --quick --no-png` (seed 1) on a 2-core machine shared
 * with other work, 2026-12-05: 858 s in all. `gap-vs-eta` and `shuffling` reuse the runs of
 * `test-vs-eta` and `epochs` when they run in the same process (then ~0 s); alone they cost as
 * much as those.
 *
 * `full`: not measured; derived from the quick time and the sizes in the experiments' code.
 * Synthetic experiments cost in proportion to their runs (`~`: quick × the run ratio, e.g.
 * helix 10×, gauss-fit 5×). Real-data experiments also add models (LeNet, MLP) and a 16× larger
 * estimator bank, so quick × the ratio of logistic training work is only a lower bound (`≥`):
 * test-vs-eta 10× (6 combos × 2000 runs vs 3 × 400), gdc 5×, epochs 10×, momentum 20×, invhess
 * 6.7×, model-selection 9×, long-curves 20× (training steps).
 */
export interface TimeEstimate {
  readonly quick: string;
  readonly full: string;
}

const ESTIMATES: Readonly<Record<string, TimeEstimate>> = {
  spacetime: { quick: "<1 s", full: "<1 s" },
  helix: { quick: "~30 s", full: "~5 min" },
  "cubic-chi": { quick: "~10 s", full: "~1.5 min" },
  "gauss-fit": { quick: "~1 min", full: "~4 min" },
  "tic-stic": { quick: "~20 s", full: "~1.5 min" },
  resummation: { quick: "~5 s", full: "~1 min" },
  "test-vs-eta": { quick: "~5 min", full: "≥ 50 min" },
  "gap-vs-eta": { quick: "~5 min", full: "≥ 50 min" },
  gdc: { quick: "~4 min", full: "≥ 20 min" },
  epochs: { quick: "~35 s", full: "≥ 6 min" },
  shuffling: { quick: "~35 s", full: "≥ 6 min" },
  momentum: { quick: "~10 s", full: "≥ 3 min" },
  invhess: { quick: "~15 s", full: "≥ 1.5 min" },
  "model-selection": { quick: "~1 min", full: "≥ 7 min" },
  "long-curves": { quick: "~1 min", full: "≥ 20 min" },
};

/** The estimate for an experiment id, or `undefined` when none was measured. */
export function timeEstimate(id: string): TimeEstimate | undefined {
  return Object.prototype.hasOwnProperty.call(ESTIMATES, id) ? ESTIMATES[id] : undefined;
}
