/**
 * Figure 1, space-time pictures (docs/theory.md#diagrams): diagrams embedded in the grid of steps ×
 * training data, generated from the engine's diagrams and an enumeration of embeddings for
 * concrete schedules — one diagram with many embeddings, legal vs illegal embeddings,
 * shuffled vs unshuffled epochs, batches of 2. Every count is checked against the engine's
 * exact coefficient.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { diagramCoefficient } from "../diagrams/coefficient.js";
import { makeDiagram } from "../diagrams/diagram.js";
import { enumerateDiagrams } from "../diagrams/enumerate.js";
import type { DiagramRecord } from "../diagrams/format.js";
import { coefficientTable } from "../diagrams/table.js";
import { renderDiagramsSvg } from "../plot/diagramSvg.js";
import { explicitBatches, type Schedule, sgdSchedule } from "../schedule/schedule.js";
import { enumerateEmbeddings, illegalExamples, totalWeight } from "../diagrams/embeddings.js";
import type { Experiment, ExperimentContext, ExperimentResult } from "../harness/experiment.js";
import type { PlotRow } from "../plot/plotSpecs.js";
import { renderSpacetimeSvg, type SpacetimePanel, type SpacetimeSection } from "../plot/spacetimeSvg.js";
import { judge, type Judgement } from "../harness/verdict.js";

type Shape = Pick<DiagramRecord, "order" | "parents" | "ties" | "key" | "value" | "automorphisms">;

/** The engine's record of the diagram with this value expression (order ≤ 4). */
function engineDiagram(value: string, order: number): Shape {
  const r = coefficientTable(sgdSchedule(order + 1), order, "test", { includeZero: true, polynomial: false }).find((d) => d.value === value && d.order === order);
  if (r === undefined) throw new Error(`internal: no diagram ${value} of order ${order}`);
  return r;
}

/** `(−1)^d/|Aut| · Σ weights`: the coefficient as counted from embeddings. */
function countedCoefficient(d: Shape, batches: readonly (readonly number[])[]): { count: number; weight: Rational; coefficient: Rational } {
  const embeddings = enumerateEmbeddings(d, batches);
  const weight = totalWeight(embeddings);
  const sign = d.order % 2 === 0 ? Rational.ONE : Rational.MINUS_ONE;
  return { count: embeddings.length, weight, coefficient: sign.mul(weight).div(Rational.int(BigInt(d.automorphisms))) };
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/** Vanilla batches of size 1 for `E` epochs, epoch `e` visiting the data in `orders[e]`. */
function epochBatches(orders: readonly (readonly number[])[]): number[][] {
  return orders.flatMap((o) => o.map((n) => [n]));
}

export interface Check {
  readonly section: string;
  readonly diagram: Shape;
  readonly schedule: string;
  readonly count: number;
  readonly counted: Rational;
  readonly engine: Rational;
}

type CheckFn = (section: string, d: Shape, scheduleName: string, batches: readonly (readonly number[])[], schedule: Schedule) => ReturnType<typeof countedCoefficient>;

/** 1. One diagram, many embeddings: the chain G·H·G on vanilla SGD, T = N = 4. */
function manyEmbeddings(checks: Check[], check: CheckFn): SpacetimeSection {
    const d = engineDiagram("E[g[H[g]]]", 2);
    const s = sgdSchedule(4);
    const batches = explicitBatches(s);
    const c = check("many embeddings", d, "vanilla SGD, T = N = 4", batches, s);
    const panels: SpacetimePanel[] = enumerateEmbeddings(d, batches).map((e, i) => ({
      caption: `embedding ${i + 1} of ${c.count}`,
      batches,
      N: 4,
      parents: d.parents,
      ties: d.ties,
      steps: e.steps,
      data: e.data,
    }));
    return {
      title: `One diagram, many embeddings: ${d.value} on vanilla SGD (T = N = 4)`,
      note: `Each node sits on a (step, datum) cell of its batch (shaded); parents are strictly later; the root (open circle) measures the test loss after step T. ${c.count} embeddings of weight 1, |Aut| = ${d.automorphisms}: coefficient ${c.coefficient} = T(T−1)/2 · η² (engine: ${checks[checks.length - 1].engine}).`,
      panels,
    };
}

/** 2. Legal vs illegal, on two epochs over N = 3 (T = 6). */
function legalVsIllegal(checks: Check[], check: CheckFn): SpacetimeSection {
    const d = engineDiagram("E[g[J[g_x,g_x]]]", 3);
    const s = sgdSchedule(3, { epochs: 2 });
    const batches = explicitBatches(s);
    const c = check("legal vs illegal", d, "SGD, N = 3, 2 epochs (same order)", batches, s);
    const legal = enumerateEmbeddings(d, batches);
    const pick = legal[Math.min(legal.length - 1, 7)];
    const panels: SpacetimePanel[] = [{ caption: `legal: one of ${c.count} embeddings`, batches, N: 3, epochStarts: [3], parents: d.parents, ties: d.ties, steps: pick.steps, data: pick.data }];
    for (const [reason, placement] of illegalExamples(d, batches, 3)) {
      panels.push({ caption: reason, illegal: reason, batches, N: 3, epochStarts: [3], parents: d.parents, ties: d.ties, steps: placement.steps, data: placement.data });
    }
    return {
      title: `Legal vs illegal embeddings: ${d.value} (two tied leaves feeding a J node), N = 3, two epochs`,
      note: `An embedding needs: every parent strictly later (the root after step T), tied nodes on one datum, untied nodes on different data, and each node's datum in its step's batch. ${c.count} legal embeddings, |Aut| = ${d.automorphisms}: coefficient ${c.coefficient} (engine: ${checks[checks.length - 1].engine}).`,
      panels,
    };
}

/** 3. Shuffled vs unshuffled epochs: the first diagram whose count depends on the order of the second epoch, and the average over all shuffles against the engine's shuffled rule. */
function shuffledEpochs(checks: Check[], check: CheckFn): SpacetimeSection {
    const N = 3;
    const fixed = [[0, 1, 2], [0, 1, 2]];
    const shuffled = [[0, 1, 2], [2, 0, 1]];
    let found: { d: Shape; a: ReturnType<typeof countedCoefficient>; b: ReturnType<typeof countedCoefficient> } | null = null;
    for (let order = 2; order <= 4 && found === null; order++) {
      for (const c of enumerateDiagrams(order)) {
        const rec = coefficientTable(sgdSchedule(order + 1), order, "test", { includeZero: true, polynomial: false }).find((r) => r.key === c.key);
        if (rec === undefined) continue;
        const a = countedCoefficient(rec, epochBatches(fixed));
        const b = countedCoefficient(rec, epochBatches(shuffled));
        if (!a.weight.equals(b.weight) && rec.ties.length > 0) {
          found = { d: rec, a, b };
          break;
        }
      }
    }
    if (found === null) throw new Error("internal: no shuffle-sensitive diagram of order ≤ 4");
    const d = found.d;
    const unshuffled = sgdSchedule(N, { epochs: 2 });
    const reshuffled = sgdSchedule(N, { epochs: 2, shuffle: true });
    check("shuffled vs unshuffled", d, "SGD, N = 3, 2 epochs, same order", epochBatches(fixed), unshuffled);
    // Average over every pair of epoch orders = the engine's expectation over shuffles.
    const perms = permutations(N);
    let sum = Rational.ZERO;
    for (const p1 of perms) for (const p2 of perms) sum = sum.add(countedCoefficient(d, epochBatches([p1, p2])).coefficient);
    const average = sum.div(Rational.int(perms.length * perms.length));
    const engineShuffled = diagramCoefficient(makeDiagram(d.parents, d.ties), reshuffled, "test");
    checks.push({ section: "shuffled vs unshuffled", diagram: d, schedule: "SGD, N = 3, 2 epochs, reshuffled (average over 36 orders)", count: perms.length ** 2, counted: average, engine: engineShuffled });
    const panelsFor = (orders: number[][], label: string, count: number): SpacetimePanel[] => {
      const batches = epochBatches(orders);
      const es = enumerateEmbeddings(d, batches);
      return es.slice(0, 2).map((e, i) => ({ caption: `${label}: embedding ${i + 1} of ${count}`, batches, N, epochStarts: [N], parents: d.parents, ties: d.ties, steps: e.steps, data: e.data }));
    };
    return {
      title: `Shuffled vs unshuffled epochs: ${d.value} (order ${d.order}), N = 3, two epochs`,
      note: `With the same order every epoch this diagram has ${found.a.count} embeddings (coefficient ${found.a.coefficient}); with the second epoch in the order x2, x0, x1 it has ${found.b.count} (${found.b.coefficient}). Averaged over all 36 pairs of epoch orders: ${average}, the engine's reshuffled coefficient ${engineShuffled}.`,
      panels: [...panelsFor(fixed, "same order", found.a.count), ...panelsFor(shuffled, "reshuffled", found.b.count)],
    };
}

/** 4. Batches of 2: untied nodes may share a step (on different data of its batch). */
function batchTwo(checks: Check[], check: CheckFn): SpacetimeSection {
    const s = sgdSchedule(4, { batch: 2, epochs: 2 });
    const batches = explicitBatches(s);
    const panels: SpacetimePanel[] = [];
    for (const value of ["E[H[g,g]]", "E[H[g_x,g_x]]"]) {
      const d = engineDiagram(value, 2);
      const c = check("batch 2", d, "SGD, N = 4, batch 2, 2 epochs", batches, s);
      const es = enumerateEmbeddings(d, batches);
      const same = es.find((e) => e.steps[1] === e.steps[2]) ?? es[0];
      const other = es.find((e) => e.steps[1] !== e.steps[2]) ?? es[0];
      panels.push({ caption: `${d.value}: weight ${same.weight} (one of ${c.count}; coefficient ${c.coefficient})`, batches, N: 4, epochStarts: [2], parents: d.parents, ties: d.ties, steps: same.steps, data: same.data });
      if (other !== same) panels.push({ caption: `${d.value}: weight ${other.weight}`, batches, N: 4, epochStarts: [2], parents: d.parents, ties: d.ties, steps: other.steps, data: other.data });
    }
    return {
      title: "Batch 2 (N = 4, two epochs): each node weighs 1/|b_t| = 1/2",
      note: "Two untied nodes can share a step on different data of one batch; two tied nodes share a datum. Coefficients as counted here equal the engine's.",
      panels,
    };
}

/** One row per check: the counted coefficient against the engine's. */
export function spacetimeRows(checks: readonly Check[]): PlotRow[] {
  return checks.map((c) => ({
    section: c.section,
    diagram: c.diagram.value,
    key: c.diagram.key,
    order: c.diagram.order,
    schedule: c.schedule,
    embeddings: c.count,
    automorphisms: c.diagram.automorphisms,
    counted_coefficient: c.counted.toString(),
    engine_coefficient: c.engine.toString(),
    match: c.counted.equals(c.engine),
  }));
}

/** Passes when every counted coefficient equals the engine's. */
export function spacetimeVerdict(checks: readonly Check[]): Judgement & { verdict: string } {
  const differ = checks.filter((c) => !c.counted.equals(c.engine)).length;
  return {
    verdict: `${checks.length} counts of embeddings (vanilla SGD, two epochs, reshuffled epochs averaged over all 36 orders, batch 2) reproduce the engine's exact coefficients: ${differ === 0 ? "all equal" : `${differ} differ`}; 4 kinds of illegal embedding drawn.`,
    ...judge("a diagram's coefficient counts its embeddings in the space-time grid", [
      { criterion: `the embeddings counted in ${checks.length} pictures equal the engine's exact coefficients (${differ} differ, need 0)`, pass: differ === 0, main: true },
    ]),
  };
}

export const spacetimeExperiment: Experiment = {
  id: "spacetime",
  title: "Space-time pictures: diagrams embedded in steps × data, generated from the engine and checked against its coefficients",
  figure: "figure 1 (docs/theory.md#expansion-rule, #diagrams)",
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const checks: Check[] = [];
    const sections: SpacetimeSection[] = [];
    const check = (section: string, d: Shape, scheduleName: string, batches: readonly (readonly number[])[], schedule: Schedule) => {
      const c = countedCoefficient(d, batches);
      const engine = diagramCoefficient(makeDiagram(d.parents, d.ties), schedule, "test");
      checks.push({ section, diagram: d, schedule: scheduleName, count: c.count, counted: c.coefficient, engine });
      return c;
    };
    const total = 4;
    ctx.progress("spacetime", 0, total);

    // 1. One diagram, many embeddings: the chain G·H·G on vanilla SGD, T = N = 4.
    sections.push(manyEmbeddings(checks, check));
    ctx.progress("spacetime", 1, total);

    // 2. Legal vs illegal, on two epochs over N = 3 (T = 6).
    sections.push(legalVsIllegal(checks, check));
    ctx.progress("spacetime", 2, total);

    // 3. Shuffled vs unshuffled epochs: the first diagram whose count depends on the order of
    // the second epoch, and the average over all shuffles against the engine's shuffled rule.
    sections.push(shuffledEpochs(checks, check));
    ctx.progress("spacetime", 3, total);

    // 4. Batches of 2: untied nodes may share a step (on different data of its batch).
    sections.push(batchTwo(checks, check));
    ctx.progress("spacetime", 4, total);

    const rows = spacetimeRows(checks);
    const judged = spacetimeVerdict(checks);
    const svg = renderSpacetimeSvg(sections, "Space-time pictures: steps (columns) × training data (rows); shaded cells are each step's batch");
    const diagramsSvg = renderDiagramsSvg(
      checks.filter((c, i) => checks.findIndex((o) => o.diagram.key === c.diagram.key) === i).map((c) => ({ order: c.diagram.order, parents: c.diagram.parents, ties: c.diagram.ties, caption: c.diagram.value })),
      5,
    );
    return {
      id: "spacetime",
      rows,
      plots: [
        { name: "spacetime", caption: "Diagrams placed on the steps × data grid, legal and illegal: counting the legal placements gives the diagram's coefficient, which should equal the engine's.", spec: { description: "space-time grids drawn by code", sections: sections.map((s) => ({ title: s.title, panels: s.panels.length })) }, svg },
        { name: "diagrams", caption: "The diagrams drawn above, with the tensor contraction each one stands for.", spec: { description: "the diagrams used", diagrams: rows.map((r) => r.diagram) }, svg: diagramsSvg },
      ],
      ...judged,
      details: { checks: rows.length },
    };
  },
};
