import { coefficientTable, coefficientTableCost, type TableCost, crossingKey, DEFAULT_TABLE_OPERATIONS, type DiagramRecord, makeDiagram, Polynomial, Rational, stepCountExact, symbolicForm } from "../../index.js";
import { renderDiagramsSvg } from "../../plot/diagramSvg.js";
import { UsageError } from "../../index.js";
import { exactIntegerJson } from "../exactJson.js";
import { ensureWritableFile, writeFileAtomic } from "../../harness/safeFile.js";
import type { Command } from "../command.js";
import { choiceFlag, type FlagTable, parseFlags } from "../flags.js";
import { progressBar } from "../progress.js";
import { orderFromFlag, scheduleFlags, scheduleFromFlags } from "../scheduleFlags.js";
import { formatTable, titleLine } from "../table.js";

const FLAGS = {
  ...scheduleFlags(),
  order: { type: "string", value: "<d>", required: true, description: "Highest order (number of non-root nodes) of the diagrams listed." },
  loss: { type: "string", value: "test|train", defaultValue: "test", description: "The loss measured after training: on fresh data (test) or on the training set (train)." },
  all: { type: "boolean", description: "Also list diagrams whose coefficient is 0 for this schedule." },
  group: { type: "boolean", description: "Sum coefficients over crossing-symmetry classes (diagrams with equal values; test loss only)." },
  json: { type: "boolean", description: "Print JSON (diagrams[] with exact coefficients as strings) instead of a table." },
  svg: { type: "string", value: "FILE", description: "Also draw the diagrams into this SVG file." },
  "max-work": {
    type: "string",
    value: "<ops>",
    defaultValue: DEFAULT_TABLE_OPERATIONS.toExponential(0),
    description: "Refuse tables whose estimated work (diagrams × exact operations per diagram) is above this, before computing anything.",
  },
} as const satisfies FlagTable;

export const diagrams: Command = {
  name: "diagrams",
  summary: "List every diagram up to --order with its exact coefficient for a schedule",
  flags: FLAGS,
  run(argv, io) {
    const { values } = parseFlags(argv, FLAGS);
    const schedule = scheduleFromFlags(values);
    const order = orderFromFlag(values.order);
    const loss = choiceFlag(values.loss, "--loss", ["test", "train"] as const, "test");
    if (values.group === true && loss !== "test") throw new UsageError("--group (crossing symmetry) applies to --loss test only");
    // The --svg path is checked before the (possibly long) computation, and the file is
    // written only once the command has succeeded (never a file from a failed command).
    if (values.svg !== undefined) ensureWritableFile(values.svg, "--svg");
    const cost = refuseOverBudget(schedule, order, loss, values["max-work"]);
    // A long legitimate table says so at once (the last order is most of the work, so a bar over orders alone stays still).
    if (cost.operations > LONG_TABLE_OPERATIONS) {
      io.stderr(`diagrams: up to order ${order} means about ${cost.candidates.toExponential(1)} diagram candidates (${cost.operations.toExponential(1)} operations); this can take minutes\n`);
    }
    const bar = progressBar(io, "diagrams (orders)");
    let rows: DiagramRecord[];
    try {
      rows = coefficientTable(schedule, order, loss, { includeZero: values.all === true, onOrder: (d) => bar.update(d + 1, order + 1) });
    } finally {
      bar.stop();
    }
    const T = stepCountExact(schedule);
    const groups = values.group === true ? crossingGroups(rows) : undefined;
    if (values.svg !== undefined) writeFileAtomic(values.svg, renderDiagramsSvg(rows));
    if (values.json === true) {
      const polynomialVariables = symbolicForm(schedule)?.variables ?? null;
      io.stdout(JSON.stringify({ schedule: describeSchedule(schedule), T: exactIntegerJson(T), loss, order, polynomialVariables, diagrams: rows, ...(groups ? { groups } : {}) }, null, 2) + "\n");
    } else if (groups !== undefined) {
      io.stdout(
        titleLine("crossing-symmetry groups (diagrams that differ only in which untied node is the root have equal values)") +
          formatTable(
            ["order", "coefficient", "polynomial", "members", "value"],
            groups.map((g) => [String(g.order), g.coefficient, g.polynomial ?? "", String(g.members.length), g.value]),
          ),
      );
    } else {
      io.stdout(
        titleLine(`E[${loss} loss after T = ${T} steps] = Σ coefficient · η^order · value   (${rows.length} diagrams)`) +
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

/** Estimated work above which the command announces a long run (order 8 of one-epoch SGD: ~15 s). */
const LONG_TABLE_OPERATIONS = 3e6;

/**
 * Refuses, before anything is enumerated or built, a table whose estimated work is above
 * `--max-work`: one line with the estimate, the limit and the flag that raises it.
 */
function refuseOverBudget(schedule: Parameters<typeof coefficientTableCost>[0], order: number, loss: "test" | "train", flag: string | undefined): TableCost {
  const limit = flag === undefined ? DEFAULT_TABLE_OPERATIONS : Number(flag);
  if (flag !== undefined && (flag.trim() === "" || !Number.isFinite(limit) || limit <= 0)) {
    throw new UsageError(`--max-work must be a positive number (e.g. 1e10), got ${JSON.stringify(flag)}`);
  }
  const cost = coefficientTableCost(schedule, order, loss);
  if (cost.operations <= limit) return cost;
  throw new UsageError(
    `--order ${order} with this schedule needs about ${cost.operations.toExponential(1)} exact operations ` +
      `(up to ${cost.candidates.toExponential(1)} diagram candidates, ${cost.worstDiagram.toExponential(1)} for the costliest diagram), ` +
      `above the limit --max-work ${limit.toExponential(1)}: lower --order, --N or --epochs, or raise --max-work`,
  );
}

interface CrossingGroup {
  order: number;
  key: string;
  coefficient: string;
  polynomial?: string;
  value: string;
  members: string[];
}

/** Sums coefficients over crossing-symmetry classes (docs/theory.md#crossing-symmetry). */
function crossingGroups(rows: readonly DiagramRecord[]): CrossingGroup[] {
  const map = new Map<string, { order: number; coef: Rational; poly: Polynomial | null; value: string; members: string[] }>();
  for (const r of rows) {
    const key = crossingKey(makeDiagram(r.parents, r.ties));
    const g = map.get(key) ?? { order: r.order, coef: Rational.ZERO, poly: Polynomial.ZERO, value: r.value, members: [] };
    g.coef = g.coef.add(Rational.parse(r.coefficient));
    g.poly = g.poly === null || r.polynomial === undefined ? null : g.poly.add(Polynomial.parse(r.polynomial));
    g.members.push(r.key);
    map.set(key, g);
  }
  return [...map.entries()].map(([key, g]) => ({
    order: g.order,
    key,
    coefficient: g.coef.toString(),
    ...(g.poly !== null ? { polynomial: g.poly.toString() } : {}),
    value: g.value,
    members: g.members,
  }));
}

/** JSON-safe description of a schedule (Rationals as strings). */
export function describeSchedule(s: object): unknown {
  return JSON.parse(JSON.stringify(s));
}
