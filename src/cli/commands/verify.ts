import { exactSeries, perturbationSeriesExact, perturbationSeriesFloat, type Rational, stepCount } from "../../index.js";
import type { Command } from "../command.js";
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
  run(argv, io) {
    const { values } = parseFlags(argv, FLAGS);
    const { name, landscape } = polynomialLandscapeFromFlag(values.landscape, "verify");
    const schedule = scheduleFromFlags(values);
    const order = orderFromFlag(values.order, 6);
    const loss = choiceFlag(values.loss, "--loss", ["test", "train"] as const, "test");
    const diagrams = exactSeries(landscape, schedule, order, loss);
    // Rounding scale of c_k: the sum of the magnitudes of its diagram terms.
    const scale = diagrams.coefficients.map((_, k) =>
      diagrams.terms.filter((t) => t.order === k).reduce((s, t) => s + Math.abs(t.coefficient.mul(t.value).toNumber()), 0),
    );
    let direct: number[];
    let exactDirect: Rational[] | undefined;
    if (values.exact === true) {
      exactDirect = perturbationSeriesExact(landscape, schedule, order, loss);
      direct = exactDirect.map((c) => c.toNumber());
    } else direct = perturbationSeriesFloat(landscape, schedule, order, loss);
    const fromDiagrams = diagrams.coefficients.map((c) => c.toNumber());
    const rel = fromDiagrams.map((a, k) => {
      const b = direct[k];
      const denom = Math.max(Math.abs(a), Math.abs(b), scale[k]);
      return denom === 0 ? 0 : Math.abs(a - b) / denom;
    });
    const exactAgree = exactDirect === undefined ? undefined : exactDirect.every((c, k) => c.equals(diagrams.coefficients[k]));
    const maxRel = Math.max(...rel);
    const agree = exactAgree ?? maxRel <= TOLERANCE;
    if (values.json === true) {
      io.stdout(
        JSON.stringify(
          { landscape: name, schedule, T: stepCount(schedule), loss, order, diagrams: fromDiagrams, direct, relativeDifference: rel, maxRelativeDifference: maxRel, tolerance: TOLERANCE, exact: values.exact === true, agree },
          null,
          2,
        ) + "\n",
      );
    } else {
      io.stdout(
        titleLine(`verify ${name}: ${loss} loss, T = ${stepCount(schedule)}, order ${order} (${values.exact === true ? "both routes exact" : "direct perturbation in float64"})`) +
          formatTable(
            ["k", "diagrams", "direct perturbation", "rel. difference"],
            fromDiagrams.map((a, k) => [String(k), a.toPrecision(15), direct[k].toPrecision(15), rel[k].toExponential(2)]),
          ) +
          `largest relative difference ${maxRel.toExponential(2)} (tolerance ${TOLERANCE}): ${agree ? "AGREE" : "DISAGREE"}\n`,
      );
    }
    return agree ? 0 : 1;
  },
};
