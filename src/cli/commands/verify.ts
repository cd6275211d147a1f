import {
  exactSeries,
  float64Fit,
  float64OrNull,
  perturbationSeriesExact,
  perturbationSeriesFloat,
  Rational,
  stepCountExact,
  toScientific,
} from "../../index.js";
import type { Command } from "../command.js";
import { exactIntegerJson } from "../exactJson.js";
import { choiceFlag, type FlagTable, parseFlags } from "../flags.js";
import { polynomialLandscapeFromFlag } from "../landscapeFlag.js";
import { orderFromFlag, scheduleFlags, scheduleFromFlags } from "../scheduleFlags.js";
import { formatTable, titleLine } from "../table.js";

/** Largest relative difference accepted between the two routes in float64. */
const TOLERANCE = 1e-10;

const FLAGS = {
  landscape: { type: "string", value: "FILE.json", required: true, description: "A polynomial landscape JSON file (a finite population of polynomial losses; see README). Built-in landscapes are for series." },
  ...scheduleFlags(),
  order: { type: "string", value: "<d>", required: true, description: "Highest η order compared (at most 6)." },
  loss: { type: "string", value: "test|train", defaultValue: "test", description: "The loss measured after training." },
  exact: { type: "boolean", description: "Perturb the update rule in exact rationals too (slower): the two routes must agree exactly." },
  json: { type: "boolean", description: "Print JSON instead of a table." },
} as const satisfies FlagTable;

export const verify: Command = {
  name: "verify",
  summary: "Check the diagram series against direct perturbation of the update rule",
  flags: FLAGS,
  notes: [
    "Where float64 cannot decide (coefficients or their diagram terms beyond its range, a float64 perturbation that overflows, or float64 routes that differ beyond the tolerance), both routes are compared in exact rationals instead, with a note saying why.",
  ],
  run(argv, io) {
    const { values } = parseFlags(argv, FLAGS);
    const { name, landscape } = polynomialLandscapeFromFlag(values.landscape, "verify");
    const schedule = scheduleFromFlags(values);
    const order = orderFromFlag(values.order, 6);
    const loss = choiceFlag(values.loss, "--loss", ["test", "train"] as const, "test");
    const diagrams = exactSeries(landscape, schedule, order, loss);
    // Rounding scale of c_k: the sum of the magnitudes of its diagram terms (exact: a term may overflow a float).
    const scale = diagrams.coefficients.map((_, k) =>
      diagrams.terms.filter((t) => t.order === k).reduce((s, t) => s.add(t.coefficient.mul(t.value).abs()), Rational.ZERO),
    );
    let direct: readonly (number | Rational)[] = [];
    let note: string | undefined;
    if (values.exact !== true) {
      const float = perturbationSeriesFloat(landscape, schedule, order, loss);
      const why = float64Obstacle(diagrams.coefficients, scale, float);
      const floatRel = why === undefined ? Math.max(...diagrams.coefficients.map((a, k) => relativeDifference(a, float[k], scale[k]))) : NaN;
      // A float64 disagreement may come from the float route alone (subnormal or overflowing
      // intermediates); the exact route then decides, and the note keeps the float64 difference.
      if (why !== undefined) note = `${why}: not comparable in float64, so both routes were compared in exact rationals`;
      else if (!(floatRel <= TOLERANCE)) note = `the float64 routes differ by ${floatRel.toExponential(2)} (tolerance ${TOLERANCE}), so both routes were compared in exact rationals`;
      else direct = float;
    }
    if (values.exact === true || note !== undefined) direct = perturbationSeriesExact(landscape, schedule, order, loss);
    const comparedIn = direct[0] instanceof Rational ? "exact" : "float64";
    const rel = diagrams.coefficients.map((a, k) => relativeDifference(a, direct[k], scale[k]));
    const maxRel = Math.max(...rel);
    const agree = comparedIn === "exact" ? direct.every((c, k) => (c as Rational).equals(diagrams.coefficients[k])) : maxRel <= TOLERANCE;
    const asNumber = (c: number | Rational) => (c instanceof Rational ? float64OrNull(c) : c);
    const T = stepCountExact(schedule);
    if (values.json === true) {
      io.stdout(
        JSON.stringify(
          {
            landscape: name,
            schedule,
            T: exactIntegerJson(T),
            loss,
            order,
            // null where the exact value is beyond float64 (see diagramsExact / directExact).
            diagrams: diagrams.coefficients.map(float64OrNull),
            direct: direct.map(asNumber),
            diagramsExact: diagrams.coefficients.map(String),
            ...(comparedIn === "exact" ? { directExact: direct.map(String) } : {}),
            relativeDifference: rel,
            maxRelativeDifference: maxRel,
            tolerance: TOLERANCE,
            exact: values.exact === true,
            comparedIn,
            ...(note === undefined ? {} : { note }),
            agree,
          },
          null,
          2,
        ) + "\n",
      );
    } else {
      const route = comparedIn === "exact" ? "both routes exact" : "direct perturbation in float64";
      io.stdout(
        titleLine(`verify ${name}: ${loss} loss, T = ${T}, order ${order} (${route})`) +
          formatTable(
            ["k", "diagrams", "direct perturbation", "rel. difference"],
            diagrams.coefficients.map((a, k) => [String(k), digits15(a), digits15(direct[k]), rel[k].toExponential(2)]),
          ) +
          (note === undefined ? "" : `note: ${note}\n`) +
          (comparedIn === "exact"
            ? `exact comparison: ${agree ? "AGREE (equal as rationals)" : `DISAGREE (largest relative difference ${maxRel.toExponential(2)})`}\n`
            : `largest relative difference ${maxRel.toExponential(2)} (tolerance ${TOLERANCE}): ${agree ? "AGREE" : "DISAGREE"}\n`),
      );
    }
    return agree ? 0 : 1;
  },
};

/**
 * Why the float64 comparison would be meaningless, or undefined when it is not: a coefficient
 * or the sum of its terms' magnitudes beyond the float64 range (overflow to Infinity, or
 * underflow to 0, where the float route cannot resolve it), or a float64 perturbation
 * coefficient that is not finite.
 */
export function float64Obstacle(coefficients: readonly Rational[], scale: readonly Rational[], direct: readonly number[]): string | undefined {
  for (const [k, c] of coefficients.entries()) {
    for (const [what, x] of [[`c_${k}`, c], [`the terms of c_${k}`, scale[k]]] as const) {
      const fit = float64Fit(x);
      if (fit !== "ok") return `${what} ≈ ${toScientific(x, 3)} ${fit === "overflow" ? "overflows" : "underflows"} float64`;
    }
    if (!Number.isFinite(direct[k])) return `the float64 perturbation ${Number.isNaN(direct[k]) ? "gives no number" : "overflows"} at c_${k}`;
  }
  return undefined;
}

/** `|a − b| / max(|a|, |b|, scale)` (0 when all vanish), exactly when `b` is exact. */
function relativeDifference(a: Rational, b: number | Rational, scale: Rational): number {
  if (b instanceof Rational) {
    const denom = [a.abs(), b.abs(), scale].reduce((m, x) => (x.compare(m) > 0 ? x : m));
    return denom.isZero() ? 0 : a.sub(b).abs().div(denom).toNumber();
  }
  const x = a.toNumber();
  const denom = Math.max(Math.abs(x), Math.abs(b), scale.toNumber());
  return denom === 0 ? 0 : Math.abs(x - b) / denom;
}

/** 15 significant digits; beyond the float64 range in exact scientific notation. */
function digits15(c: number | Rational): string {
  if (!(c instanceof Rational)) return c.toPrecision(15);
  return float64Fit(c) === "ok" ? c.toNumber().toPrecision(15) : toScientific(c, 15);
}
