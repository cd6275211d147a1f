import { fallingFactorial, Rational } from "../algebra/rational.js";
import { InvalidArgumentError } from "../errors.js";
import { automorphismCount } from "./canonical.js";
import type { Diagram } from "./diagram.js";
import { explicitWeight, stepAssignmentWeight } from "./rules/explicit.js";
import { evaluatePatterns, fixedOrderPatterns, shuffledWeight, singleEpochWeight } from "./rules/sgdFamily.js";
import { explicitBatches, type Schedule, stepCount } from "../schedule/schedule.js";
import { diagramStructure, type DiagramStructure } from "./structure.js";

/** What is measured after training: the test loss (fresh datum) or the train loss. */
export type LossKind = "test" | "train";

/**
 * The exact coefficient of a diagram for a schedule: the number `c` such that the diagram
 * contributes `c · η^d · value(D)` to `E[s(θ_T)]` (docs/theory.md#expansion-rule, #diagrams), where `value(D)` is the
 * expected contraction with tied nodes on one datum and untied nodes on independent data.
 *
 * `c = (−1)^d / |Aut(D)| · Σ_embeddings Π_nodes (1/|b_t|)·(edge weight) · (root weight)`;
 * the root weight is 1 for the test loss, and for the train loss `1/N` (root tied) or
 * `(N−K)/N` (root untied; its index must differ from the `K` indices the nodes use).
 *
 * @throws InvalidArgumentError for a tied root with the test loss.
 */
export function diagramCoefficient(diagram: Diagram, schedule: Schedule, loss: LossKind): Rational {
  const st = diagramStructure(diagram);
  if (loss === "test" && st.rootTied) {
    throw new InvalidArgumentError("diagramCoefficient", "diagram", "untied at the root for the test loss", JSON.stringify(diagram.ties));
  }
  return structureCoefficient(st, automorphismCount(diagram), schedule, loss);
}

/**
 * {@link diagramCoefficient} from a diagram's structure and `|Aut(D)|` (for callers that
 * already have both, such as the table of a whole order: canonising again costs more than
 * the coefficient itself).
 */
export function structureCoefficient(st: DiagramStructure, automorphisms: bigint, schedule: Schedule, loss: LossKind): Rational {
  const W = embeddingWeight(st, schedule);
  if (W.isZero()) return Rational.ZERO;
  // One reduction instead of three (the parts are large for long schedules).
  const root = rootWeight(st, schedule.N, loss);
  const sign = st.d % 2 === 0 ? 1n : -1n;
  return Rational.of(sign * W.num * root.num, W.den * root.den * automorphisms);
}

/** Root weight: 1 (test), `1/N` (train, root tied) or `(N−K)/N` (train, root untied). */
export function rootWeight(st: DiagramStructure, N: number, loss: LossKind): Rational {
  if (loss === "test") return Rational.ONE;
  return st.rootTied ? Rational.of(1, N) : Rational.of(N - st.K, N);
}

/** `Σ_embeddings Π (1/|b_t|)·(edge weights)` for the diagram's labelled representative. */
export function embeddingWeight(st: DiagramStructure, schedule: Schedule): Rational {
  const plain = schedule.momentum === undefined && schedule.etaScale === undefined;
  if (plain && schedule.kind !== "custom") {
    const { N, B, E, shuffle } = familyParameters(schedule);
    const Nb = N / B;
    const scale = Rational.of(1n, BigInt(B) ** BigInt(st.d));
    if (shuffle && E > 1) return shuffledWeight(st, Nb, B, E).mul(scale);
    if (E === 1) return Rational.int(singleEpochWeight(st, Nb, B)).mul(scale);
    const terms = fixedOrderPatterns(st, B, Nb);
    return Rational.int(evaluatePatterns(terms, Nb, B, E)).mul(scale);
  }
  const edgeWeight = edgeWeightOf(schedule);
  if (schedule.kind === "sgd" && schedule.shuffle && schedule.epochs > 1) {
    const { N, B } = familyParameters(schedule);
    const Nb = N / B;
    const invB = Rational.of(1, B);
    return stepAssignmentWeight(st, stepCount(schedule), () => invB, edgeWeight, (steps) => shuffledIndexFactor(st, steps, Nb, B));
  }
  return explicitWeight(st, { N: schedule.N, batches: explicitBatches(schedule), edgeWeight });
}

/** `(N, B, E, shuffle)` of a batch/epoch schedule; GD is `B = N`, `E = T`. */
export function familyParameters(s: Schedule): { N: number; B: number; E: number; shuffle: boolean } {
  if (s.kind === "sgd") return { N: s.N, B: s.batch, E: s.epochs, shuffle: s.shuffle };
  if (s.kind === "gd") return { N: s.N, B: s.N, E: s.T, shuffle: false };
  throw new InvalidArgumentError("familyParameters", "schedule.kind", '"sgd" or "gd"', s.kind);
}

/**
 * Edge weight from a node at step `s` to its parent at step `t`: `r_s · w(t − s)` with
 * heavy-ball weights `w(Δ) = (1 − β^Δ)/(1 − β) = Σ_{j<Δ} β^j` (docs/theory.md#momentum-and-hessian-update).
 *
 * The weights are built lazily, once per schedule, and only up to the largest `Δ` asked for:
 * with `β = p/q` (lowest terms) `w(Δ) = S_Δ / q^{Δ−1}` where `S_{Δ+1} = q·S_Δ + p^Δ`, so each new
 * weight costs two bigint products instead of an addition of rationals with thousands of
 * bits (the eager loop over every `Δ ≤ T` took minutes at `T = 4000`, before any budget check).
 */
export function edgeWeightOf(s: Schedule): (from: number, to: number) => Rational {
  const cached = edgeWeightCache.get(s);
  if (cached !== undefined) return cached;
  const w = heavyBallWeights(s.momentum ?? Rational.ZERO);
  const r = s.etaScale;
  const f = (from: number, to: number): Rational => (r === undefined ? w(to - from) : r[from].mul(w(to - from)));
  edgeWeightCache.set(s, f);
  return f;
}

/** One edge-weight function per schedule object (the table asks for it once per diagram). */
const edgeWeightCache = new WeakMap<Schedule, (from: number, to: number) => Rational>();

/** `Δ ↦ Σ_{j<Δ} β^j` for `β ∈ [0, 1)`, memoised and extended on demand (`w(0) = 0`). */
function heavyBallWeights(beta: Rational): (delta: number) => Rational {
  const p = beta.num;
  const q = beta.den;
  const w: Rational[] = [Rational.ZERO];
  let S = 0n; // S_Δ for the last Δ built
  let pPow = 1n; // p^Δ
  let qPow = 1n; // q^Δ
  return (delta) => {
    while (w.length <= delta) {
      // From Δ = w.length − 1 to Δ + 1: S_{Δ+1} = q·S_Δ + p^Δ, denominator q^Δ.
      S = q * S + pPow;
      w.push(Rational.of(S, qPow));
      pPow *= p;
      qPow *= q;
    }
    return w[delta];
  };
}

/**
 * Expected number of injective class→index maps compatible with node steps when every
 * epoch is an independent uniform shuffle: `fall(N, K)·Π_ε Π_j fall(B, m_εj)/fall(N, K_ε)`,
 * zero when a class sits in two batches of one epoch.
 */
function shuffledIndexFactor(st: DiagramStructure, steps: readonly number[], Nb: number, B: number): Rational {
  const N = Nb * B;
  if (st.K > N) return Rational.ZERO; // more distinct indices than data
  const perEpoch = new Map<number, Map<number, number>>(); // epoch -> class -> batch
  for (let v = 1; v <= st.d; v++) {
    const e = Math.floor(steps[v] / Nb);
    const j = steps[v] % Nb;
    let m = perEpoch.get(e);
    if (m === undefined) perEpoch.set(e, (m = new Map()));
    const prev = m.get(st.cls[v]);
    if (prev === undefined) m.set(st.cls[v], j);
    else if (prev !== j) return Rational.ZERO;
  }
  let num = fallingFactorial(N, st.K);
  let den = 1n;
  for (const m of perEpoch.values()) {
    const perBatch = new Map<number, number>();
    for (const j of m.values()) perBatch.set(j, (perBatch.get(j) ?? 0) + 1);
    for (const c of perBatch.values()) num *= fallingFactorial(B, c);
    den *= fallingFactorial(N, m.size);
  }
  return Rational.of(num, den);
}
