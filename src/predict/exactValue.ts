import { Rational } from "../algebra/rational.js";
import { type Diagram, childrenOf, rootIsTied, tieClassOf } from "../diagrams/diagram.js";
import { BudgetExceededError, InvalidArgumentError } from "../errors.js";
import {
  type Monomial,
  type PolynomialLandscape,
  contractDerivative,
  contractDerivativeScalar,
  meanLoss,
} from "../landscapes/polynomialLandscape.js";

/** Largest number of tie-class → datum maps averaged over in one call. */
const MAX_ASSIGNMENTS = 1_000_000;

/**
 * The exact expected value of a diagram on a finite population (docs/theory.md#expansion-rule (step 5), #estimators),
 * with no factors of `η`: the pure tensor contraction, averaged over the data.
 *
 * Every tie class draws one datum uniformly from the population, classes independently (so
 * two classes may draw the same element). Bottom-up, a leaf on datum `x` is `∇l_x(θ0)`, a
 * node with children vectors `v_1..v_k` is `∇^{k+1} l_x(θ0)[v_1..v_k, ·]`, and the root is
 * the scalar `∇^k l_x(θ0)[v_1..v_k]`. For the test loss the root has its own fresh datum
 * (and must be untied); for the train loss it uses its tie class's datum.
 *
 * ## Method
 * Untied nodes (and the test root) are independent single draws, and the value is linear
 * in each node's tensor, so `E_x ∇^j l_x = ∇^j l̄` lets them use the mean loss `l̄`; only
 * the tied classes are enumerated (`M^{#ties}` maps).
 *
 * @param loss - `"test"` or `"train"`.
 * @throws InvalidArgumentError when the loss is unknown or the root is tied for the test loss.
 * @throws BudgetExceededError when `M^{#ties}` exceeds 10^6.
 * @example
 * ```ts
 * exactDiagramValue(makeDiagram([0]), landscape, "test");           // G·G
 * exactDiagramValue(makeDiagram([0], [[0, 1]]), landscape, "train"); // E[g_x·g_x] = tr M2
 * ```
 */
export function exactDiagramValue(diagram: Diagram, landscape: PolynomialLandscape, loss: "test" | "train"): Rational {
  const where = "exactDiagramValue";
  if (loss !== "test" && loss !== "train") throw new InvalidArgumentError(where, "loss", '"test" or "train"', loss);
  if (loss === "test" && rootIsTied(diagram)) {
    throw new InvalidArgumentError(where, "diagram", "a diagram with an untied root for the test loss", JSON.stringify(diagram.ties));
  }
  const M = landscape.population.length;
  const children = childrenOf(diagram);
  const classOf = tieClassOf(diagram);
  const tied = [...new Set(diagram.ties.map((c) => classOf[c[0]]))];
  const slotOfClass = new Map(tied.map((c, i) => [c, i]));
  const assignments = M ** tied.length;
  if (assignments > MAX_ASSIGNMENTS) {
    throw new BudgetExceededError(where, `averaging over ${M}^${tied.length} tie-class data exceeds ${MAX_ASSIGNMENTS} maps`);
  }
  const mean = meanLoss(landscape);
  const theta0 = landscape.theta0;

  const lossOf = (v: number, data: readonly number[]): readonly Monomial[] => {
    const slot = slotOfClass.get(classOf[v]);
    return slot === undefined ? mean : landscape.population[data[slot]];
  };
  const vectorAt = (v: number, data: readonly number[]): Rational[] =>
    contractDerivative(lossOf(v, data), theta0, children[v].map((c) => vectorAt(c, data)));

  let sum = Rational.ZERO;
  const data = new Array<number>(tied.length).fill(0);
  for (let a = 0; a < assignments; a++) {
    let rest = a;
    for (let i = 0; i < data.length; i++) {
      data[i] = rest % M;
      rest = Math.floor(rest / M);
    }
    sum = sum.add(contractDerivativeScalar(lossOf(0, data), theta0, children[0].map((c) => vectorAt(c, data))));
  }
  return sum.div(Rational.int(assignments));
}
