import { writeFileSync } from "node:fs";
import { coefficientTable, type DiagramRecord, stepCount, symbolicForm } from "../../index.js";
import { renderDiagramsSvg } from "../../plot/diagramSvg.js";
import type { Command } from "../command.js";
import { choiceFlag, parseFlags } from "../flags.js";
import { orderFromFlag, SCHEDULE_OPTIONS, SCHEDULE_USAGE, scheduleFromFlags } from "../scheduleFlags.js";
import { formatTable } from "../table.js";

export const diagrams: Command = {
  name: "diagrams",
  summary: "List every diagram up to --order with its exact coefficient for a schedule",
  usage: `sgd-diagrams diagrams ${SCHEDULE_USAGE} --order <d> --loss test|train [--all] [--json] [--svg FILE]`,
  run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        ...SCHEDULE_OPTIONS,
        order: { type: "string" },
        loss: { type: "string" },
        json: { type: "boolean" },
        svg: { type: "string" },
        all: { type: "boolean" },
      },
      "diagrams",
    );
    const schedule = scheduleFromFlags(values);
    const order = orderFromFlag(values.order);
    const loss = choiceFlag(values.loss, "--loss", ["test", "train"] as const, "test");
    const rows = coefficientTable(schedule, order, loss, { includeZero: values.all === true });
    if (values.svg !== undefined) writeFileSync(values.svg, renderDiagramsSvg(rows));
    const T = stepCount(schedule);
    if (values.json === true) {
      const polynomialVariables = symbolicForm(schedule)?.variables ?? null;
      io.stdout(JSON.stringify({ schedule: describeSchedule(schedule), T, loss, order, polynomialVariables, diagrams: rows }, null, 2) + "\n");
    } else {
      io.stdout(
        `E[${loss} loss after T = ${T} steps] = Σ coefficient · η^order · value   (${rows.length} diagrams)\n` +
          formatTable(
            ["order", "coefficient", "polynomial", "|Aut|", "value", "parents", "ties"],
            rows.map((r: DiagramRecord) => [
              String(r.order),
              r.coefficient,
              r.polynomial ?? "",
              r.automorphisms,
              r.value,
              r.parents.join(","),
              JSON.stringify(r.ties),
            ]),
          ),
      );
      if (values.svg !== undefined) io.stdout(`wrote ${values.svg}\n`);
    }
    return 0;
  },
};

/** JSON-safe description of a schedule (Rationals as strings). */
export function describeSchedule(s: object): unknown {
  return JSON.parse(JSON.stringify(s));
}
