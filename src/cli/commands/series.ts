import { exactSeries, stepCount } from "../../index.js";
import type { Command } from "../command.js";
import { choiceFlag, parseFlags } from "../flags.js";
import { polynomialLandscapeFromFlag } from "../landscapeFlag.js";
import { orderFromFlag, SCHEDULE_OPTIONS, SCHEDULE_USAGE, scheduleFromFlags } from "../scheduleFlags.js";
import { formatTable } from "../table.js";

export const series: Command = {
  name: "series",
  summary: "η-series coefficients of the expected test/train loss on a landscape",
  usage: `sgd-diagrams series --landscape <file.json> ${SCHEDULE_USAGE} --order <d> --loss test|train [--json]`,
  run(argv, io) {
    const { values } = parseFlags(
      argv,
      { ...SCHEDULE_OPTIONS, landscape: { type: "string" }, order: { type: "string" }, loss: { type: "string" }, json: { type: "boolean" } },
      "series",
    );
    const { name, landscape } = polynomialLandscapeFromFlag(values.landscape);
    const schedule = scheduleFromFlags(values);
    const order = orderFromFlag(values.order, 6);
    const loss = choiceFlag(values.loss, "--loss", ["test", "train"] as const, "test");
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
