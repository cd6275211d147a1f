import {
  BUILTIN_LANDSCAPES,
  builtinLandscape,
  cubicChiModel,
  exactSeries,
  gaussFitModel,
  type OneDimModel,
  oneDimSeries,
  quadraticModel,
  quadratureSeries,
  Rational,
  type Float64Fit,
  float64Fit,
  float64OrNull,
  stepCountExact,
  toScientific,
} from "../../index.js";
import { exactIntegerJson } from "../exactJson.js";
import type { Command } from "../command.js";
import { choiceFlag, type FlagTable, parseFlags } from "../flags.js";
import { polynomialLandscapeFromFlag } from "../landscapeFlag.js";
import { orderFromFlag, scheduleFlags, scheduleFromFlags } from "../scheduleFlags.js";
import { formatTable, titleLine } from "../table.js";

const FLAGS = {
  landscape: {
    type: "string",
    value: "FILE.json|NAME",
    required: true,
    description: `A polynomial landscape JSON file, or a built-in landscape: ${Object.keys(BUILTIN_LANDSCAPES).join(", ")}.`,
  },
  ...scheduleFlags(),
  order: { type: "string", value: "<d>", required: true, description: "Highest η order (at most 6 for a file, 5 for a built-in)." },
  loss: { type: "string", value: "test|train", defaultValue: "test", description: "The loss measured after training." },
  json: { type: "boolean", description: "Print JSON (coefficients, exactCoefficients where exact, terms) instead of a table." },
} as const satisfies FlagTable;

/**
 * The built-in landscapes (at their default parameters) that the engine also knows in exact
 * form: one weight, derivatives at θ0 polynomial in the standard normal datum, so every diagram
 * value is an exact rational and a coefficient that vanishes is exactly 0, not −4e−30.
 */
const EXACT_BUILTINS: Readonly<Record<string, () => OneDimModel>> = {
  "cubic-chi": cubicChiModel,
  "gauss-fit": gaussFitModel,
  "mean-estimation": () => quadraticModel(Rational.ONE, Rational.int(10n), Rational.ZERO),
};

export const series: Command = {
  name: "series",
  summary: "η-series coefficients of the expected test/train loss on a landscape",
  flags: FLAGS,
  notes: [
    "Exact rationals on a polynomial landscape file, and on cubic-chi, gauss-fit and mean-estimation for the test loss; otherwise float64 over the built-in's Gauss–Hermite quadrature (exact in x).",
  ],
  async run(argv, io) {
    const { values } = parseFlags(argv, FLAGS);
    const schedule = scheduleFromFlags(values);
    const loss = choiceFlag(values.loss, "--loss", ["test", "train"] as const, "test");
    if (values.landscape !== undefined && values.landscape in BUILTIN_LANDSCAPES) {
      const order = orderFromFlag(values.order, 5);
      const r = await quadratureSeries(builtinLandscape(values.landscape), schedule, order, loss);
      // The quadrature's float sums leave rounding where a coefficient vanishes; the exact
      // one-dimensional route (test loss only: its root is never tied) says which are 0.
      const model = loss === "test" ? EXACT_BUILTINS[values.landscape] : undefined;
      const exact = model === undefined ? undefined : oneDimSeries(model(), schedule, order).coefficients;
      const coefficients = exact?.map(float64OrNull) ?? r.coefficients;
      if (values.json === true) {
        io.stdout(
          JSON.stringify(
            {
              landscape: values.landscape,
              mode: exact === undefined ? "quadrature" : "exact",
              schedule,
              T: exactIntegerJson(stepCountExact(schedule)),
              loss,
              order,
              coefficients,
              ...(exact === undefined ? {} : { exactCoefficients: exact.map(String), ...float64Fields(exact), quadratureCoefficients: r.coefficients }),
              standardErrors: coefficients.map(() => 0),
              terms: r.terms,
            },
            null,
            2,
          ) + "\n",
        );
      } else {
        const how = exact === undefined ? "exact expectation over its Gauss–Hermite quadrature, in float64" : "exact rationals";
        io.stdout(
          titleLine(`E[${loss} loss after T = ${stepCountExact(schedule)} steps] on ${values.landscape} = Σ c_k η^k (${how})`) +
            (exact === undefined
              ? formatTable(["k", "c_k"], r.coefficients.map((c, k) => [String(k), c.toPrecision(12)]))
              : formatTable(["k", "c_k", "exact"], exact.map((c, k) => [String(k), decimal(c), String(c)]))),
        );
      }
      return 0;
    }
    const { name, landscape } = polynomialLandscapeFromFlag(values.landscape, "series");
    const order = orderFromFlag(values.order, 6);
    const result = exactSeries(landscape, schedule, order, loss);
    const coefficients = result.coefficients.map(float64OrNull);
    if (values.json === true) {
      io.stdout(
        JSON.stringify(
          {
            landscape: name,
            mode: "exact",
            schedule,
            T: exactIntegerJson(stepCountExact(schedule)),
            loss,
            order,
            coefficients,
            exactCoefficients: result.coefficients.map(String),
            ...float64Fields(result.coefficients),
            standardErrors: coefficients.map(() => 0),
            terms: result.terms.map((t) => ({ order: t.order, key: t.key, coefficient: String(t.coefficient), value: String(t.value) })),
          },
          null,
          2,
        ) + "\n",
      );
    } else {
      io.stdout(
        titleLine(`E[${loss} loss after T = ${stepCountExact(schedule)} steps] on ${name} = Σ c_k η^k (exact expectation over the population)`) +
          formatTable(["k", "c_k", "exact"], result.coefficients.map((c, k) => [String(k), decimal(c), String(c)])),
      );
    }
    return 0;
  },
};

/**
 * An exact coefficient as a 12-digit decimal; an exact zero prints as `0`, and one beyond the
 * float64 range in exact scientific notation (never Infinity, nor a 0 that is not one).
 */
function decimal(c: Rational): string {
  return c.isZero() ? "0" : float64Fit(c) === "ok" ? c.toNumber().toPrecision(12) : toScientific(c, 12);
}

/**
 * The JSON fields that say which exact coefficients a float64 cannot hold: `coefficients[k]` is
 * then `null` (never Infinity's `null` nor a rounded 0 without a reason), `coefficientsFloat64[k]`
 * says `"overflow"` or `"underflow"`, and `coefficientsScientific[k]` gives the value in exact
 * 12-digit scientific notation (`exactCoefficients` stays the authoritative value).
 */
function float64Fields(exact: readonly Rational[]): { coefficientsFloat64: Float64Fit[]; coefficientsScientific: string[] } {
  return { coefficientsFloat64: exact.map(float64Fit), coefficientsScientific: exact.map((c) => toScientific(c, 12)) };
}
