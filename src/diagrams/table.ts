import { requireInt } from "../errors.js";
import { type LossKind, structureCoefficient } from "./coefficient.js";
import { enumerateDiagrams, MAX_ENUMERATION_ORDER } from "./enumerate.js";
import { type DiagramRecord, toRecord } from "./format.js";
import { type Schedule, stepCount } from "../schedule/schedule.js";
import { diagramStructure } from "./structure.js";
import { structurePolynomial } from "./symbolic.js";

export interface CoefficientTableOptions {
  /** Keep diagrams whose coefficient is 0 for this schedule. @defaultValue false */
  includeZero?: boolean;
  /** Add each coefficient as a polynomial in the family's parameters, where it is one. @defaultValue true */
  polynomial?: boolean;
  /** Called after each order with (order, diagrams so far) — for progress display. */
  onOrder?: (order: number, count: number) => void;
}

/**
 * Every diagram of order `0..maxOrder` with its exact coefficient for `schedule`, such that
 * `E[s(θ_T)] = Σ coefficient · η^order · value(diagram) + O(η^{maxOrder+1})`.
 * @throws InvalidArgumentError unless `0 ≤ maxOrder ≤ MAX_ENUMERATION_ORDER`.
 */
export function coefficientTable(
  schedule: Schedule,
  maxOrder: number,
  loss: LossKind,
  options: CoefficientTableOptions = {},
): DiagramRecord[] {
  requireInt(maxOrder, "coefficientTable", "order", 0, MAX_ENUMERATION_ORDER);
  const out: DiagramRecord[] = [];
  for (let d = 0; d <= maxOrder; d++) {
    for (const c of enumerateDiagrams(d, { rootTies: loss === "train", skipTiedAncestors: isOneEpoch(schedule) && options.includeZero !== true })) {
      // One structure and the enumerator's |Aut(D)| serve both the number and the polynomial.
      const st = diagramStructure(c.diagram);
      const k = structureCoefficient(st, c.automorphisms, schedule, loss);
      if (k.isZero() && options.includeZero !== true) continue;
      const poly = options.polynomial === false ? null : structurePolynomial(st, c.automorphisms, schedule, loss);
      out.push(toRecord(c, k, poly?.toString()));
    }
    options.onOrder?.(d, out.length);
  }
  return out;
}

/** True when no training index is used at two different steps (so ties never span steps). */
function isOneEpoch(s: Schedule): boolean {
  if (s.kind === "sgd") return s.epochs === 1;
  if (s.kind === "gd") return stepCount(s) <= 1;
  const seen = new Set<number>();
  for (const b of s.batches) for (const n of b) {
    if (seen.has(n)) return false;
    seen.add(n);
  }
  return true;
}
