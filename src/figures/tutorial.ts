/**
 * Generates `docs/tutorial.md` and its pictures: a worked, step-by-step tutorial of the
 * diagram rules whose every number and picture comes from the engine (coefficients), the
 * embedding enumerator (counts), exact diagram values and a seeded simulation. A test
 * regenerates it and checks the files in `docs/` match; `npx tsx docs/generate-tutorial.ts`
 * rewrites them.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { diagramCoefficient } from "../diagrams/coefficient.js";
import { makeDiagram } from "../diagrams/diagram.js";
import type { DiagramRecord } from "../diagrams/format.js";
import { coefficientTable } from "../diagrams/table.js";
import { renderDiagramsSvg } from "../plot/diagramSvg.js";
import { explicitBatches, gdSchedule, type Schedule, sgdSchedule } from "../schedule/schedule.js";
import { sgdOneDim } from "../simulate/oneDimSgd.js";
import { confidenceInterval95, estimateMean } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";
import { enumerateEmbeddings, totalWeight } from "../diagrams/embeddings.js";
import { cubicChiModel } from "../predict/oneDimModels.js";
import { evaluatePolynomial, oneDimDiagramValue, oneDimSeries } from "../predict/oneDimSeries.js";
import { fmt } from "../plot/plotSpecs.js";
import { renderSpacetimeSvg, type SpacetimePanel } from "../plot/spacetimeSvg.js";

/** The generated tutorial: the Markdown text and its pictures (paths relative to `docs/`). */
export interface TutorialFiles {
  readonly markdown: string;
  readonly files: ReadonlyMap<string, string>;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function code(s: string): string {
  return `\`${s}\``;
}

function panelsFor(d: DiagramRecord, s: Schedule, N: number, label: (i: number, n: number) => string, max = 12): SpacetimePanel[] {
  const batches = explicitBatches(s);
  const es = enumerateEmbeddings(d, batches);
  return es.slice(0, max).map((e, i) => ({ caption: label(i, es.length), batches, N, parents: d.parents, ties: d.ties, steps: e.steps, data: e.data }));
}


/** Builds the tutorial. Deterministic: same code, same text. */
export function tutorial(): TutorialFiles {
  const tc = tutorialCase();
  const files = tutorialPictures(tc);
  const cubic = cubicChiCheck(tc);
  const md = [introText(), order1Text(tc), order2Text(tc), order3Text(tc, cubic), schedulesText(tc), checkItText()].join("");
  return { markdown: md, files };
}

/** The diagrams and schedules the tutorial works through. */
interface TutorialCase {
  /** Steps (and data) of the vanilla SGD examples. */
  readonly T: number;
  readonly vanilla: Schedule;
  /** The coefficient table of vanilla SGD to order 3. */
  readonly rows: readonly DiagramRecord[];
  readonly g: DiagramRecord;
  readonly chain: DiagramRecord;
  readonly pair: DiagramRecord;
  readonly tied: DiagramRecord;
  /** Section 6: the same diagrams under other schedules (name, schedule, N). */
  readonly schedules: readonly [string, Schedule, number][];
}

function tutorialCase(): TutorialCase {
  const T = 3;
  const vanilla = sgdSchedule(T);
  const rows = coefficientTable(vanilla, 3, "test");
  const byValue = (v: string) => rows.find((r) => r.value === v)!;
  const schedules: [string, Schedule, number][] = [
    ["vanilla SGD, N = 4", sgdSchedule(4), 4],
    ["batch 2, N = 4", sgdSchedule(4, { batch: 2 }), 4],
    ["2 epochs, N = 2", sgdSchedule(2, { epochs: 2 }), 2],
    ["GD, N = 4, T = 4", gdSchedule(4, 4), 4],
  ];
  return { T, vanilla, rows, g: byValue("E[g[g]]"), chain: byValue("E[g[H[g]]]"), pair: byValue("E[H[g,g]]"), tied: byValue("E[H[g_x,g_x]]"), schedules };
}

/** The diagrams of order `d` in the vanilla SGD table. */
function order(tc: TutorialCase, d: number): DiagramRecord[] {
  return tc.rows.filter((r) => r.order === d);
}

/** Embeddings of `r` on `s`, their total weight and the coefficient counted from them. */
function counted(r: DiagramRecord, s: Schedule) {
  const es = enumerateEmbeddings(r, explicitBatches(s));
  const sign = r.order % 2 === 0 ? Rational.ONE : Rational.MINUS_ONE;
  return { n: es.length, weight: totalWeight(es), coefficient: sign.mul(totalWeight(es)).div(Rational.int(BigInt(r.automorphisms))) };
}

/** The pictures: all diagrams, the embeddings of orders 1 and 2, and the tied pair under four schedules. */
function tutorialPictures(tc: TutorialCase): Map<string, string> {
  const { T, vanilla, rows, g, chain, pair, tied, schedules } = tc;
  const files = new Map<string, string>();
  files.set("tutorial/diagrams.svg", renderDiagramsSvg(rows.filter((r) => r.order > 0).map((r) => ({ order: r.order, parents: r.parents, ties: r.ties, caption: r.value })), 7));
  files.set("tutorial/order1.svg", renderSpacetimeSvg([{ title: `Order 1: ${g.value} on vanilla SGD, T = N = ${T}`, panels: panelsFor(g, vanilla, T, (i, n) => `embedding ${i + 1} of ${n}`) }], "Space-time: steps (columns) × data (rows); shaded = the step's batch; open circle = the root"));
  files.set(
    "tutorial/order2.svg",
    renderSpacetimeSvg(
      [chain, pair, tied].map((r) => ({ title: `${r.value}: |Aut| = ${r.automorphisms}`, panels: panelsFor(r, vanilla, T, (i, n) => `${i + 1} of ${n}`) })),
      `Order 2 on vanilla SGD, T = N = ${T}: every labelled embedding`,
    ),
  );
  files.set(
    "tutorial/schedules.svg",
    renderSpacetimeSvg(
      schedules.map(([name, s, N]) => ({ title: name, panels: panelsFor(tied, s, N, (i, n) => `${tied.value}: ${i + 1} of ${n}`, 4) })),
      `The tied pair ${tied.value} under four schedules (first embeddings)`,
    ),
  );
  return files;
}

/** Section 5's numbers: exact cubic-chi values of the order-3 diagrams and a seeded SGD check. */
function cubicChiCheck(tc: TutorialCase) {
  const model = cubicChiModel();
  const values = order(tc, 3).map((r) => ({ r, v: oneDimDiagramValue(r, model) }));
  const surviving = values.filter((x) => !x.v.isZero());
  const eta = 0.02;
  const Tc = 4;
  const runs = 25_000;
  const [w] = sgdOneDim(model.gradient, model.theta0, [eta], Tc, runs, new Rng(1));
  const est = estimateMean(Array.from(w, (x) => model.testLoss(x)));
  const [lo, hi] = confidenceInterval95(est);
  const skewRow = surviving[0];
  const c4 = diagramCoefficient(makeDiagram(skewRow.r.parents, skewRow.r.ties), sgdSchedule(Tc), "test");

  // Multiples of C(T, k) for the order-3 diagrams (k = number of distinct data = steps).
  const T10 = 10;
  const multiples = order(tc, 3).map((r) => {
    const k = r.ties.reduce((n, t) => n - t.length + 1, r.order);
    const c = diagramCoefficient(makeDiagram(r.parents, r.ties), sgdSchedule(T10), "test");
    let binom = 1n;
    for (let i = 0; i < k; i++) binom = (binom * BigInt(T10 - i)) / BigInt(i + 1);
    return { value: r.value, k, m: c.neg().div(Rational.int(binom)) };
  });
  const series5 = oneDimSeries(model, sgdSchedule(4), 5).coefficients;
  return { values, skewRow, eta, Tc, runs, est, lo, hi, c4, multiples, series5 };
}

/** The title, the introduction and sections 1–2 (what a diagram is; coefficients count embeddings). */
function introText(): string {
  return `# The diagram rules, step by step

*Generated by \`npx tsx docs/generate-tutorial.ts\` from the engine (\`src/diagrams\`), the embedding
enumerator (\`src/diagrams/embeddings.ts\`) and exact diagram values; \`test/tutorial.test.ts\`
regenerates it and fails if this file or its pictures differ. Every number below is computed.*

SGD on a loss \`l_x(θ)\` is a sum of Taylor expansions, one per step. The calculus organises the
terms of \`E[l(θ_T)]\` (the expected test loss after \`T\` steps) as **diagrams**:

\`\`\`
E[l(θ_T)] = Σ_d η^d Σ_{diagrams D of order d} coefficient(D, schedule) · value(D, landscape)
\`\`\`

The *coefficient* depends only on the schedule (steps, batches, epochs); the *value* only on the
landscape's derivatives at the start \`θ0\`. This tutorial computes both for small cases by hand
and lets the tool confirm every step.

## 1. What a diagram is

A diagram of order \`d\` is a rooted tree with \`d\` edges plus a partition of its non-root nodes into
**ties**. The root (open circle) is the measured test loss; every other node is one gradient
evaluation \`∇^{1+k} l_x\` (\`k\` = its number of children); an edge contracts a node's own index with
a slot of its parent. Tied nodes use the **same datum**, untied nodes independent ones. Here are all
diagrams of order 1–3 with a non-zero coefficient for vanilla SGD (one datum per step, \`T = N\`),
(their coefficients, as polynomials in \`T\`, are in the tables below):

![diagrams](tutorial/diagrams.svg)

The value notation reads inside out: \`E[g[H[g]]]\` is \`E[∇l(∇²l(∇l))] = G·H·G\`; a subscript \`x\`
marks tied nodes, e.g. \`E[H[g_x,g_x]] = E[∇²l[∇l_x, ∇l_x]] = M2:H\`.

## 2. Coefficients count embeddings

An **embedding** puts every non-root node on a cell (step \`t\`, datum \`n\`) of the space-time grid
with \`n\` in step \`t\`'s batch, every parent strictly later than its children (the root sits after
step \`T\`), tied nodes on one datum and untied nodes on different data. Each node weighs
\`1/|b_t|\` (1 for vanilla SGD). Then

\`\`\`
coefficient(D) = (−1)^d / |Aut(D)| · Σ_embeddings Π_nodes 1/|b_t|
\`\`\`

where \`|Aut(D)|\` counts the symmetries of the diagram (permutations of nodes that preserve the
tree and the ties): the sum runs over *labelled* embeddings, and each picture is counted
\`|Aut(D)|\` times.

`;
}

/** Section 3: order 1. */
function order1Text(tc: TutorialCase): string {
  const { T, g } = tc;
  const gCount = counted(g, tc.vanilla);
  return `## 3. Order 1: ${code(g.value)} = \`G·G\`

One node, child of the root. On vanilla SGD with \`T = N = ${T}\` it can sit at any step:

![order 1](tutorial/order1.svg)

${gCount.n} embeddings of weight 1, \`|Aut| = ${g.automorphisms}\`, sign \`(−1)^1\`: coefficient **${gCount.coefficient}** (the engine: ${g.coefficient}; as a polynomial: ${code(g.polynomial ?? "")}).
So \`E[l(θ_T)] = l(θ0) − ηT·G·G + O(η²)\`: gradient descent on the mean loss.

`;
}

/** Section 4: order 2, with the counted coefficients of the three diagrams. */
function order2Text(tc: TutorialCase): string {
  const { T, chain, pair, tied } = tc;
  const chainCount = counted(chain, tc.vanilla);
  const pairCount = counted(pair, tc.vanilla);
  const tiedCount = counted(tied, tc.vanilla);
  return `## 4. Order 2: discretization and noise

Three diagrams. Every labelled embedding on \`T = ${T}\`:

![order 2](tutorial/order2.svg)

${table(
    ["diagram", "value", "labelled embeddings", "|Aut|", "counted coefficient", "engine", "polynomial in T"],
    [chain, pair, tied].map((r, i) => {
      const c = [chainCount, pairCount, tiedCount][i];
      return [code(r.value), i === 0 ? "`G·H·G`" : i === 1 ? "`G·H·G`" : "`M2:H`", String(c.n), r.automorphisms, c.coefficient.toString(), r.coefficient, code(r.polynomial ?? "")];
    }),
  )}

- The chain needs two different steps in order: \`C(T, 2)\` embeddings.
- Two untied children of the root need two different steps (different data) in either order:
  \`T(T−1)\` labelled embeddings, halved by the swap symmetry.
- Two **tied** children must share a datum, hence (one datum per step) a step: \`T\` labelled
  embeddings, halved by the swap: \`T/2\`. This is the only noise term at order 2.

Adding up (both untied diagrams have value \`G·H·G\`):
\`η²(T(T−1)·G·H·G + (T/2)·M2:H)\` — the second-order term of docs/theory.md#closed-forms.

`;
}

/** Section 5: the order-3 table, the multiples of `C(T, k)` and the cubic-chi check. */
function order3Text(tc: TutorialCase, cubic: ReturnType<typeof cubicChiCheck>): string {
  const { T } = tc;
  const { values, skewRow, eta, Tc, runs, est, lo, hi, c4, multiples, series5 } = cubic;
  return `## 5. Order 3, and a landscape where only one diagram survives

The engine's order-3 table for vanilla SGD (\`T = ${T}\`):

${table(
    ["diagram", "|Aut|", "coefficient (T = 3)", "polynomial in T"],
    order(tc, 3).map((r) => [code(r.value), r.automorphisms, r.coefficient, code(r.polynomial ?? "")]),
  )}

A diagram whose nodes use \`k\` distinct data occupies \`k\` distinct steps (one datum per step), so
its coefficient is \`−m·C(T, k)\`:

${table(
    ["k (distinct steps)", "diagrams: multiple m of C(T, k)"],
    [3, 2, 1].map((k) => [String(k), multiples.filter((x) => x.k === k).map((x) => `${code(x.value)}: ${x.m}`).join(", ")]),
  )}

By value: \`C(T,3)·(4·G·H·H·G + 2·J[G,G,G])\` (the chains and \`H[H[g],g]\` are \`G·H·H·G\`),
\`C(T,2)·((3/2)·J[M2,G] + tr(M2·H·H) + H:K:G)\` and \`(T/6)·J:M3\` — docs/theory.md#closed-forms, and the paper's
counts "4, 2; 2, 2, 3; 1" (with the \`1/2!\` of two nodes on one step).

**Cubic-chi** (docs/theory.md#cubic-chi): \`l_x(w) = w³ − w(x² − 1)\`, \`x ~ N(0, 1)\`, \`w0 = 0\`. At 0,
\`∂l = 1 − x²\`, \`∂²l = 0\`, \`∂³l = 6\`, so \`G = 0\`, \`H = 0\`, \`J = 6\`, and every diagram with a mean
gradient or a Hessian vanishes. Exact values of the order-3 diagrams (products of moments of \`x\`):

${table(
    ["diagram", "exact value on cubic-chi"],
    values.map((x) => [code(x.r.value), x.v.toString()]),
  )}

Only ${code(skewRow.r.value)} survives: value \`∂³(w³)·E[(1 − x²)³] = 6·(−8) = ${skewRow.v}\`, coefficient
\`−T/6\`, so \`E[l(w_T)] = 8Tη³ + O(η⁵)\` — the skewness of the gradient noise, which any Gaussian
(SDE) approximation sets to 0. At \`T = ${Tc}\` the coefficient is ${c4}, the prediction at \`η = ${eta}\` is
${fmt(c4.mul(skewRow.v).toNumber() * eta ** 3, 4)}, and ${runs} seeded SGD runs measure
**${fmt(est.value, 3)}** (95% interval ${fmt(lo, 3)} to ${fmt(hi, 3)}). The gap is the next order: the
engine's exact series at \`T = ${Tc}\` is ${series5.map((c, d) => (c.isZero() ? null : `${c}·η^${d}`)).filter((x) => x !== null).join(" + ")} + O(η⁷)
(even orders vanish: \`w_T\` is odd in η), which gives ${fmt(evaluatePolynomial(series5.map((c) => c.toNumber()), eta), 4)}. The \`cubic-chi\`
experiment (\`npx sgd-diagrams reproduce cubic-chi\`) does this across η, to order 9.

`;
}

/** Section 6: the same diagrams under other schedules, counted and checked against the engine. */
function schedulesText(tc: TutorialCase): string {
  const { chain, pair, tied, schedules } = tc;
  return `## 6. Batches, epochs and GD change only the counting

Same diagrams, other schedules: only the embeddings change. The tied pair under four schedules:

![schedules](tutorial/schedules.svg)

${table(
    ["schedule", ...[chain, pair, tied].map((r) => code(r.value))],
    schedules.map(([name, s]) => [
      name,
      ...[chain, pair, tied].map((r) => {
        const c = counted(r, s);
        const e = diagramCoefficient(makeDiagram(r.parents, r.ties), s, "test");
        return `${c.coefficient}${c.coefficient.equals(e) ? "" : ` (engine ${e})`}`;
      }),
    ]),
  )}

(Each entry is counted from the embeddings and equals the engine's coefficient.) With batches,
two untied nodes may share a step on different data of one batch, and each node weighs \`1/B\`; with
epochs, a datum returns, so a tie can span two steps; GD puts every datum in every step.

`;
}

/** Section 7: commands that reproduce the tutorial. */
function checkItText(): string {
  return `## 7. Check it yourself

\`\`\`sh
npx sgd-diagrams diagrams --schedule sgd --N 3 --order 3 --loss test      # the tables above
npx sgd-diagrams diagrams --schedule sgd --N 4 --batch 2 --order 2 --svg d.svg
npx sgd-diagrams reproduce spacetime --out out   # more space-time pictures, all counts checked
npx sgd-diagrams reproduce cubic-chi --out out   # section 5 across η
\`\`\`
`;
}
