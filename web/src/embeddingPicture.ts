/**
 * The space-time picture shown when a diagram is hovered: its embeddings into the grid
 * steps × training data of a small schedule, drawn with the library's own space-time renderer.
 * The count is checked against the engine: `Σ weights = (−1)^d |Aut| · coefficient`.
 *
 * @module
 */
import { Rational } from "../../src/algebra/rational.js";
import { diagramCoefficient } from "../../src/diagrams/coefficient.js";
import { makeDiagram } from "../../src/diagrams/diagram.js";
import type { DiagramRecord } from "../../src/diagrams/format.js";
import { BudgetExceededError } from "../../src/errors.js";
import { enumerateEmbeddings, totalWeight } from "../../src/diagrams/embeddings.js";
import { renderSpacetimeSvg, type SpacetimePanel } from "../../src/plot/spacetimeSvg.js";
import { explicitBatches, type Schedule, sgdSchedule, stepCount } from "../../src/schedule/schedule.js";
import { type ExplorerState, scheduleOf } from "./state.js";

/** Panels drawn at most (the rest are counted, not drawn). */
const MAX_PANELS = 3;
/** Grids larger than this are replaced by a small schedule of the same kind. */
const MAX_SMALL_T = 8;
const MAX_SMALL_N = 6;

type Shape = Pick<DiagramRecord, "order" | "parents" | "ties" | "value" | "coefficient" | "automorphisms">;

/** The state's schedule when its grid is small, else SGD with N = 3 over 2 epochs (T = 6). */
function smallSchedule(state: ExplorerState): { schedule: Schedule; label: string } {
  try {
    const s = scheduleOf(state);
    if (stepCount(s) <= MAX_SMALL_T && s.N <= MAX_SMALL_N && s.momentum === undefined && s.etaScale === undefined) {
      // One fixed order of the data: a shuffled schedule is drawn for its unshuffled order.
      if (s.kind === "sgd" && s.shuffle) return { schedule: { ...s, shuffle: false }, label: "this schedule in its unshuffled order (the table averages over shuffles)" };
      return { schedule: s, label: "this schedule" };
    }
  } catch {
    // fall through to the small default
  }
  return { schedule: sgdSchedule(3, { epochs: 2 }), label: "a small stand-in schedule (SGD, N = 3, batch 1, 2 epochs, T = 6)" };
}

export function embeddingPicture(state: ExplorerState, d: Shape): { svg: string; summary: string } {
  if (d.ties.some((t) => t.includes(0))) {
    return { svg: "", summary: `${d.value}: the root is tied to a training point (a train-loss diagram); pictures are drawn for test-loss diagrams.` };
  }
  const { schedule, label } = smallSchedule(state);
  const batches = explicitBatches(schedule);
  let embeddings;
  try {
    embeddings = enumerateEmbeddings(d, batches, 20_000);
  } catch (e) {
    if (e instanceof BudgetExceededError) return { svg: "", summary: `${d.value}: more than 20 000 embeddings on ${label}; not drawn.` };
    throw e;
  }
  const weight = totalWeight(embeddings);
  const sign = d.order % 2 === 0 ? Rational.ONE : Rational.MINUS_ONE;
  const counted = weight.mul(sign).div(Rational.parse(d.automorphisms));
  const engine = diagramCoefficient(makeDiagram(d.parents, d.ties), schedule, "test");
  const epochStarts = schedule.kind === "sgd" ? Array.from({ length: schedule.epochs - 1 }, (_, e) => ((e + 1) * schedule.N) / schedule.batch) : [];
  const panels: SpacetimePanel[] = embeddings.slice(0, MAX_PANELS).map((e, i) => ({
    caption: `embedding ${i + 1} of ${embeddings.length}, weight ${e.weight.toString()}`,
    batches,
    N: schedule.N,
    epochStarts,
    parents: d.parents,
    ties: d.ties,
    steps: e.steps,
    data: e.data,
  }));
  const summary =
    `${d.value} on ${label}: ${embeddings.length} embeddings, Σ weights = ${weight.toString()}; ` +
    `(−1)^${d.order}/|Aut| · Σ = ${counted.toString()} (engine: ${engine.toString()}).`;
  // One picture per embedding, stacked, so each stays legible in the page's side panel.
  const svg = panels.map((p) => renderSpacetimeSvg([{ title: "", panels: [p] }], "")).join("");
  return { svg, summary };
}
