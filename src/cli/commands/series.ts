import { BUILTIN_LANDSCAPES, builtinLandscape, exactSeries, quadratureSeries, stepCount } from "../../index.js";
import type { Command } from "../command.js";
import { choiceFlag, parseFlags } from "../flags.js";
import { polynomialLandscapeFromFlag } from "../landscapeFlag.js";
import { orderFromFlag, SCHEDULE_OPTIONS, SCHEDULE_USAGE, scheduleFromFlags } from "../scheduleFlags.js";
import { formatTable } from "../table.js";

export const series: Command = {
  name: "series",
  summary: "η-series coefficients of the expected test/train loss on a landscape",
  usage: `sgd-diagrams series --landscape <file.json|${Object.keys(BUILTIN_LANDSCAPES).join("|")}> ${SCHEDULE_USAGE} --order <d> --loss test|train [--json]`,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      { ...SCHEDULE_OPTIONS, landscape: { type: "string" }, order: { type: "string" }, loss: { type: "string" }, json: { type: "boolean" } },
      "series",
    );
    const schedule = scheduleFromFlags(values);
    const loss = choiceFlag(values.loss, "--loss", ["test", "train"] as const, "test");
    if (values.landscape !== undefined && values.landscape in BUILTIN_LANDSCAPES) {
      const order = orderFromFlag(values.order, 5);
      const r = await quadratureSeries(builtinLandscape(values.landscape), schedule, order, loss);
      if (values.json === true) {
        io.stdout(
          JSON.stringify(
            { landscape: values.landscape, mode: "quadrature", schedule, T: stepCount(schedule), loss, order, coefficients: r.coefficients, standardErrors: r.coefficients.map(() => 0), terms: r.terms },
            null,
            2,
          ) + "\n",
        );
      } else {
        io.stdout(
          `E[${loss} loss after T = ${stepCount(schedule)} steps] on ${values.landscape} = Σ c_k η^k (exact expectation over its Gauss–Hermite quadrature)\n` +
            formatTable(["k", "c_k"], r.coefficients.map((c, k) => [String(k), c.toPrecision(12)])),
        );
      }
      return 0;
    }
    const { name, landscape } = polynomialLandscapeFromFlag(values.landscape);
    const order = orderFromFlag(values.order, 6);
    const result = exactSeries(landscape, schedule, order, loss);
    const coefficients = result.coefficients.map((c) => c.toNumber());
    if (values.json === true) {
      io.stdout(
        JSON.stringify(
          {
            landscape: name,
            mode: "exact",
            schedule,
            T: stepCount(schedule),
            loss,
            order,
            coefficients,
            exactCoefficients: result.coefficients.map(String),
            standardErrors: coefficients.map(() => 0),
            terms: result.terms.map((t) => ({ order: t.order, key: t.key, coefficient: String(t.coefficient), value: String(t.value) })),
          },
          null,
          2,
        ) + "\n",
      );
    } else {
      io.stdout(
        `E[${loss} loss after T = ${stepCount(schedule)} steps] on ${name} = Σ c_k η^k (exact expectation over the population)\n` +
          formatTable(
            ["k", "c_k", "exact"],
            result.coefficients.map((c, k) => [String(k), c.toNumber().toPrecision(12), String(c)]),
          ),
      );
    }
    return 0;
  },
};
