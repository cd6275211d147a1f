/**
 * The main job's comparison of predictions with measurements, and its verdict.
 *
 * @module
 */
import { Z_95 } from "../stats/estimate.js";
import type { PredictionResult } from "./predict.js";
import type { SimulationResult } from "./simulate.js";

/** Side-by-side rows of a comparison and the verdict of issue 4. */
export interface ComparisonResult {
  /**
   * One row per η. `measured`/`measuredCi95` are null where every run diverged (`diverged`
   * runs, the earliest at `firstDivergedStep`); `withinInterval`, `betterThanOrder1` and
   * `orderDifferenceResolved` are null where there is nothing to compare (no run measured, or a
   * prediction beyond the float64 range: then `predictionFinite` is false).
   */
  readonly rows: readonly Record<string, number | string | boolean | null>[];
  readonly verdict: string;
  /** Never `true` for a {@link ComparisonResult.partial} comparison. */
  readonly pass: boolean;
  /** Fewer runs than asked for (an interrupted simulation): the verdict starts with PARTIAL. */
  readonly partial: boolean;
}

/** The mark of outputs computed from an interrupted simulation, e.g. `"PARTIAL (788/4000 runs)"`. */
export function partialMark(s: Pick<SimulationResult, "runsDone" | "runsRequested">): string | null {
  return s.runsDone < s.runsRequested ? `PARTIAL (${s.runsDone}/${s.runsRequested} runs)` : null;
}

/**
 * Compares predictions with measurements: for ηT ≤ `etaTMax`, is the order-`order`
 * prediction inside the measured 95% interval, and is its error smaller than order 1's?
 */
export function compareMainJob(p: PredictionResult, s: SimulationResult, order: number, etaTMax = 0.5): ComparisonResult {
  const rows = p.rows.map((pr, i) => {
    const sr = s.rows[i];
    const measured = sr.runs > 0 && Number.isFinite(sr.mean);
    const rec: Record<string, number | string | boolean | null> = {
      eta: pr.eta,
      etaT: pr.etaT,
      measured: measured ? sr.mean : null,
      measuredCi95: measured ? sr.ci95 : null,
      runs: sr.runs,
      diverged: sr.diverged,
      firstDivergedStep: sr.firstDivergedStep,
    };
    for (let k = 1; k <= order; k++) {
      rec[`order${k}`] = pr.polynomial[k].value;
      rec[`order${k}Se`] = pr.polynomial[k].stderr;
    }
    rec.ode = pr.ode.value;
    if (pr.resummed !== null) rec.resummed = pr.resummed.value;
    rec.lastTermRatio = pr.lastTermRatio;
    const err = (k: number) => Math.abs(pr.polynomial[k].value - sr.mean);
    // The prediction's own error adds to the measurement's; combine both in the interval.
    const halfWidth = Math.sqrt(sr.ci95 ** 2 + (Z_95 * pr.polynomial[order].stderr) ** 2);
    rec.predictionFinite = pr.polynomial.every((t) => Number.isFinite(t.value) && Number.isFinite(t.stderr));
    const comparable = measured && rec.predictionFinite;
    rec.withinInterval = comparable ? err(order) <= halfWidth : null;
    rec.betterThanOrder1 = comparable ? err(order) < err(1) : null;
    // Where the higher orders change the prediction by less than the combined interval,
    // "closer than order 1" is decided by noise (the measurement's or the estimates'), not by
    // the theory.
    rec.orderDifferenceResolved = comparable ? Math.abs(pr.polynomial[order].value - pr.polynomial[1].value) > halfWidth : null;
    return rec;
  });
  const small = rows.filter((r) => (r.etaT as number) <= etaTMax + 1e-12);
  const inside = small.filter((r) => r.withinInterval === true).length;
  const better = small.filter((r) => r.betterThanOrder1 === true).length;
  const partial = partialMark(s);
  const pass = partial === null && small.length > 0 && inside === small.length && better === small.length;
  const compared = rows.filter((r) => r.withinInterval !== null);
  const verdict =
    (partial === null ? "" : `${partial}: `) +
    `order-${order} ${p.quantity} prediction within the 95% interval for ${inside}/${small.length} η with ηT ≤ ${etaTMax}, ` +
    `closer than order 1 for ${better}/${small.length}; over all η: within for ${compared.filter((r) => r.withinInterval === true).length}/${rows.length}` +
    (compared.length < rows.length ? ` (${rows.length - compared.length} not comparable: every run diverged or the prediction is beyond float64)` : "");
  const unresolved = small.filter((r) => r.orderDifferenceResolved === false).length;
  const notes = [
    unresolved > 0 ? `at ${unresolved}/${small.length} of those η, orders 1 and ${order} differ by less than the combined 95% interval (measurement and prediction; there "closer" is decided by noise)` : "",
    s.controlVariate ? "measured means use zero-mean control variates from each run's training set at θ0 (unbiased; see controlVariates)" : "",
  ].filter((x) => x !== "");
  const diverged = rows.filter((r) => (r.diverged as number) > 0).length;
  if (diverged > 0) notes.push(`runs diverged at ${diverged}/${rows.length} η (${s.divergenceRule}); they are counted, not averaged in`);
  return { rows, verdict: notes.length === 0 ? verdict : `${verdict}\nnote: ${notes.join("; ")}`, pass, partial: partial !== null };
}

