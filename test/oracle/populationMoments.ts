/**
 * Exact moments of a polynomial landscape's derivative tensors at θ0 (docs/theory.md#setting), as
 * dense nested arrays, and the contractions that appear in the closed forms of docs/theory.md#closed-forms.
 * Test-only: built from the per-datum derivative helpers by contracting with basis vectors.
 */
import { Rational } from "../../src/algebra/rational.js";
import {
  type PolynomialLandscape,
  contractDerivative,
  gradientAt,
  lossAt,
} from "../../src/landscapes/polynomialLandscape.js";

export interface PopulationMoments {
  /** `E[l]` */ l: Rational;
  /** `G = E[g]` */ G: Rational[];
  /** `H = E[∇²l]` */ H: Rational[][];
  /** `J = E[∇³l]` */ J: Rational[][][];
  /** `M2 = E[g⊗g]` */ M2: Rational[][];
  /** `C = M2 − G⊗G` */ C: Rational[][];
  /** `M3 = E[g⊗g⊗g]` */ M3: Rational[][][];
  /** `K^{a,bc} = E[g_a ∇²l_bc]` */ K: Rational[][][];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export function basis(dim: number, i: number): Rational[] {
  return range(dim).map((j) => (j === i ? Rational.ONE : Rational.ZERO));
}

export function sum(xs: readonly Rational[]): Rational {
  return xs.reduce((a, b) => a.add(b), Rational.ZERO);
}

export function populationMoments(l: PolynomialLandscape): PopulationMoments {
  const P = l.dim;
  const M = l.population.length;
  const w = Rational.of(1, M);
  const mean = <X>(f: (x: number) => X, add: (a: X, b: X) => X, scale: (a: X) => X): X =>
    scale(range(M).map(f).reduce(add));
  const g = l.population.map((d) => gradientAt(d, l.theta0));
  const h = l.population.map((d) => range(P).map((i) => contractDerivative(d, l.theta0, [basis(P, i)])));
  const j3 = l.population.map((d) =>
    range(P).map((a) => range(P).map((b) => contractDerivative(d, l.theta0, [basis(P, a), basis(P, b)]))),
  );
  const add1 = (a: Rational[], b: Rational[]) => a.map((x, i) => x.add(b[i]));
  const add2 = (a: Rational[][], b: Rational[][]) => a.map((r, i) => add1(r, b[i]));
  const add3 = (a: Rational[][][], b: Rational[][][]) => a.map((r, i) => add2(r, b[i]));
  const sc1 = (a: Rational[]) => a.map((x) => x.mul(w));
  const sc2 = (a: Rational[][]) => a.map(sc1);
  const sc3 = (a: Rational[][][]) => a.map(sc2);

  const G = mean((x) => g[x], add1, sc1);
  const M2 = mean((x) => range(P).map((a) => range(P).map((b) => g[x][a].mul(g[x][b]))), add2, sc2);
  return {
    l: sum(l.population.map((d) => lossAt(d, l.theta0))).mul(w),
    G,
    H: mean((x) => h[x], add2, sc2),
    J: mean((x) => j3[x], add3, sc3),
    M2,
    C: M2.map((r, a) => r.map((v, b) => v.sub(G[a].mul(G[b])))),
    M3: mean(
      (x) => range(P).map((a) => range(P).map((b) => range(P).map((c) => g[x][a].mul(g[x][b]).mul(g[x][c])))),
      add3,
      sc3,
    ),
    K: mean((x) => range(P).map((a) => range(P).map((b) => range(P).map((c) => g[x][a].mul(h[x][b][c])))), add3, sc3),
  };
}

/** `Σ_{indices} Π factors`, for small dense index sums written as a callback. */
export function indexSum(P: number, arity: number, term: (idx: number[]) => Rational): Rational {
  let total = Rational.ZERO;
  const idx = new Array<number>(arity).fill(0);
  for (let k = 0; k < P ** arity; k++) {
    let r = k;
    for (let i = 0; i < arity; i++) {
      idx[i] = r % P;
      r = Math.floor(r / P);
    }
    total = total.add(term(idx));
  }
  return total;
}

/** The scalars of the vanilla-SGD closed forms (docs/theory.md#closed-forms). */
export function closedFormScalars(m: PopulationMoments) {
  const P = m.G.length;
  const { G, H, J, M2, M3, K } = m;
  return {
    GG: indexSum(P, 1, ([a]) => G[a].mul(G[a])),
    GHG: indexSum(P, 2, ([a, b]) => G[a].mul(H[a][b]).mul(G[b])),
    M2H: indexSum(P, 2, ([a, b]) => M2[a][b].mul(H[a][b])),
    trM2: indexSum(P, 1, ([a]) => M2[a][a]),
    trC: indexSum(P, 1, ([a]) => m.C[a][a]),
    GHHG: indexSum(P, 3, ([a, b, c]) => G[a].mul(H[a][b]).mul(H[b][c]).mul(G[c])),
    JGGG: indexSum(P, 3, ([a, b, c]) => J[a][b][c].mul(G[a]).mul(G[b]).mul(G[c])),
    JM2G: indexSum(P, 3, ([a, b, c]) => J[a][b][c].mul(M2[a][b]).mul(G[c])),
    trM2HH: indexSum(P, 3, ([a, b, c]) => M2[a][b].mul(H[b][c]).mul(H[c][a])),
    HKG: indexSum(P, 3, ([a, b, c]) => H[a][b].mul(K[a][b][c]).mul(G[c])),
    JM3: indexSum(P, 3, ([a, b, c]) => J[a][b][c].mul(M3[a][b][c])),
  };
}
