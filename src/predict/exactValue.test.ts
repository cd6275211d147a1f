import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { closedFormScalars, indexSum, populationMoments } from "../../test/oracle/populationMoments.js";
import { Rational, factorial } from "../algebra/rational.js";
import { type Diagram, makeDiagram } from "../diagrams/diagram.js";
import { type Schedule, customSchedule, gdSchedule, sgdSchedule } from "../schedule/schedule.js";
import { InvalidArgumentError } from "../errors.js";
import { perturbationSeriesExact } from "../landscapes/directPerturbation.js";
import {
  type PolynomialLandscape,
  contractDerivative,
  contractDerivativeScalar,
  randomPolynomialLandscape,
} from "../landscapes/polynomialLandscape.js";
import { exactDiagramValue } from "./exactValue.js";

const L = randomPolynomialLandscape({ dim: 2, populationSize: 3, maxDegree: 4, termsPerDatum: 4, seed: 42 });
const r = (n: number, d = 1): Rational => Rational.of(n, d);

describe("exactDiagramValue on hand-computable diagrams", () => {
  const m = populationMoments(L);
  const s = closedFormScalars(m);

  test("order 0 is the mean loss", () => {
    expect(exactDiagramValue(makeDiagram([]), L, "test").toString()).toBe(m.l.toString());
    expect(exactDiagramValue(makeDiagram([]), L, "train").toString()).toBe(m.l.toString());
  });

  test("order 1: G·G untied, tr M2 = E[g_x·g_x] when the root is tied to its child", () => {
    expect(exactDiagramValue(makeDiagram([0]), L, "test").toString()).toBe(s.GG.toString());
    expect(exactDiagramValue(makeDiagram([0]), L, "train").toString()).toBe(s.GG.toString());
    expect(exactDiagramValue(makeDiagram([0], [[0, 1]]), L, "train").toString()).toBe(s.trM2.toString());
  });

  test("order 2: chain and star are GHG, the tied star is M2:H, the tied chain is E[g_x H_x] G", () => {
    expect(exactDiagramValue(makeDiagram([0, 1]), L, "test").toString()).toBe(s.GHG.toString());
    expect(exactDiagramValue(makeDiagram([0, 0]), L, "test").toString()).toBe(s.GHG.toString());
    expect(exactDiagramValue(makeDiagram([0, 0], [[1, 2]]), L, "test").toString()).toBe(s.M2H.toString());
    // node 1 = ∇²l_x[g_x, ·] and the root contracts it with G... via the mean Hessian:
    // root ∇l̄[v1] with v1 = ∇²l_x g_x  ⇒  G_a K^{b,ab}
    const KG = indexSum(2, 2, ([a, b]) => m.G[a].mul(m.K[b][a][b]));
    expect(exactDiagramValue(makeDiagram([0, 1], [[1, 2]]), L, "test").toString()).toBe(KG.toString());
  });

  test("order 3: J[G,G,G], GHHG and J:M3", () => {
    expect(exactDiagramValue(makeDiagram([0, 0, 0]), L, "test").toString()).toBe(s.JGGG.toString());
    expect(exactDiagramValue(makeDiagram([0, 1, 2]), L, "test").toString()).toBe(s.GHHG.toString());
    expect(exactDiagramValue(makeDiagram([0, 0, 0], [[1, 2, 3]]), L, "test").toString()).toBe(s.JM3.toString());
  });

  test("rejects a tied root for the test loss and an unknown loss", () => {
    expect(() => exactDiagramValue(makeDiagram([0], [[0, 1]]), L, "test")).toThrow(InvalidArgumentError);
    expect(() => exactDiagramValue(makeDiagram([0]), L, "val" as "test")).toThrow(
      'exactDiagramValue: loss must be "test" or "train", got "val"',
    );
  });
});

/** Every class draws its own datum: average over all `M^k` class → datum maps. */
function bruteForceValue(d: Diagram, l: PolynomialLandscape, classOfNode: readonly number[], classes: number): Rational {
  const M = l.population.length;
  const children: number[][] = Array.from({ length: d.order + 1 }, () => []);
  d.parents.forEach((p, i) => children[p].push(i + 1));
  let total = Rational.ZERO;
  for (let code = 0; code < M ** classes; code++) {
    const datumOf = (v: number) => l.population[Math.floor(code / M ** classOfNode[v]) % M];
    const vec = (v: number): Rational[] => contractDerivative(datumOf(v), l.theta0, children[v].map(vec));
    total = total.add(contractDerivativeScalar(datumOf(0), l.theta0, children[0].map(vec)));
  }
  return total.div(r(M ** classes));
}

test("exactDiagramValue equals brute force over all class → datum maps", () => {
  const small = randomPolynomialLandscape({ dim: 2, populationSize: 2, maxDegree: 4, termsPerDatum: 4, seed: 17 });
  const arbCase = fc.integer({ min: 0, max: 4 }).chain((d) =>
    fc.record({
      // parent of node i among 0..i-1 gives every rooted tree up to relabelling
      parents: fc.tuple(...Array.from({ length: d }, (_, i) => fc.integer({ min: 0, max: i }))),
      labels: fc.array(fc.integer({ min: 0, max: d }), { minLength: d + 1, maxLength: d + 1 }),
      loss: fc.constantFrom("test" as const, "train" as const),
    }),
  );
  fc.assert(
    fc.property(arbCase, ({ parents, labels, loss }) => {
      if (loss === "test") labels[0] = -1; // the test root is never tied
      const groups = new Map<number, number[]>();
      labels.forEach((c, v) => groups.set(c, [...(groups.get(c) ?? []), v]));
      const diagram = makeDiagram(parents, [...groups.values()]);
      const ids = [...groups.keys()];
      const classOfNode = labels.map((c) => ids.indexOf(c));
      expect(exactDiagramValue(diagram, small, loss).toString()).toBe(bruteForceValue(diagram, small, classOfNode, ids.length).toString());
    }),
    { seed: SEED, numRuns: 80 },
  );
});

/**
 * The expansion rule of docs/theory.md#expansion-rule written out by brute force over labeled histories:
 * `d` labeled nodes each get a step (weight `1/d!`, which sums to `Π_t 1/d_t!` per count
 * vector), a member of that step's batch (`1/|b_t|`), and a parent at a strictly later step
 * or the root; the train root is an index `n` (`1/N`). Same index ⇒ tied. Then
 * `[η^d] E[s(θ_T)] = (−1)^d Σ weight · exactDiagramValue`.
 */
function historySum(l: PolynomialLandscape, batches: readonly (readonly number[])[], N: number, d: number, loss: "test" | "train"): Rational {
  const T = batches.length;
  let total = Rational.ZERO;
  const roots = loss === "test" ? [-1] : Array.from({ length: N }, (_, n) => n);
  const forEachTuple = (sizes: readonly number[], f: (xs: number[]) => void): void => {
    const xs = new Array<number>(sizes.length).fill(0);
    const rec = (i: number): void => {
      if (i === sizes.length) return f(xs);
      for (let x = 0; x < sizes[i]; x++) {
        xs[i] = x;
        rec(i + 1);
      }
    };
    rec(0);
  };
  forEachTuple(new Array(d).fill(T), (steps) => {
    forEachTuple(steps.map((t) => batches[t].length), (members) => {
      const index = members.map((j, i) => batches[steps[i]][j]);
      // parent choice: 0 = root, k = node k (must be at a strictly later step)
      const options = steps.map((t) => [0, ...steps.flatMap((u, k) => (u > t ? [k + 1] : []))]);
      forEachTuple(options.map((o) => o.length), (choice) => {
        const parents = choice.map((c, i) => options[i][c]);
        for (const root of roots) {
          const nodeIndex = [root, ...index];
          const groups = new Map<number, number[]>();
          nodeIndex.forEach((n, v) => {
            if (n >= 0) groups.set(n, [...(groups.get(n) ?? []), v]);
          });
          const weight = steps.reduce((w, t) => w.div(r(batches[t].length)), r(1, Number(factorial(d)))).div(r(roots.length));
          const value = exactDiagramValue(makeDiagram(parents, [...groups.values()]), l, loss);
          total = total.add(weight.mul(value));
        }
      });
    });
  });
  return d % 2 === 0 ? total : total.neg();
}

describe("diagram values × §2 history weights = direct perturbation", () => {
  test.each<[string, Schedule, (readonly number[])[]]>([
    ["vanilla SGD, N = 3", sgdSchedule(3), [[0], [1], [2]]],
    ["batch 2, two epochs, N = 2", sgdSchedule(2, { batch: 2, epochs: 2 }), [[0, 1], [0, 1]]],
    ["two epochs, N = 2", sgdSchedule(2, { epochs: 2 }), [[0], [1], [0], [1]]],
    ["GD, N = 2, T = 2", gdSchedule(2, 2), [[0, 1], [0, 1]]],
    ["custom", customSchedule(3, [[1], [0, 2], [1]]), [[1], [0, 2], [1]]],
  ])("%s, test and train loss through η³", (_name, schedule, batches) => {
    for (const loss of ["test", "train"] as const) {
      const direct = perturbationSeriesExact(L, schedule, 3, loss);
      for (let d = 0; d <= 3; d++) {
        expect(historySum(L, batches, schedule.N, d, loss).toString(), `${loss} η^${d}`).toBe(direct[d].toString());
      }
    }
  });

  test("order 2 of vanilla SGD: C(T,2)·(chain + star) + (T/2)·tied star", () => {
    const T = 3;
    const c2 = r(3).mul(exactDiagramValue(makeDiagram([0, 1]), L, "test").add(exactDiagramValue(makeDiagram([0, 0]), L, "test")))
      .add(r(T, 2).mul(exactDiagramValue(makeDiagram([0, 0], [[1, 2]]), L, "test")));
    expect(c2.toString()).toBe(perturbationSeriesExact(L, sgdSchedule(T), 2, "test")[2].toString());
  });
});
