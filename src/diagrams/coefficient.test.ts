import { describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { permutations } from "../../test/oracle/bruteIsomorphism.js";
import { diagramCoefficient, edgeWeightOf, embeddingWeight } from "./coefficient.js";
import { enumerateDiagrams } from "./enumerate.js";
import { explicitWeight, stepAssignmentWeight } from "./rules/explicit.js";
import { customSchedule, explicitBatches, gdSchedule, type Schedule, sgdSchedule, stepCount } from "../schedule/schedule.js";
import { diagramStructure, type DiagramStructure } from "./structure.js";
import { coefficientTable } from "./table.js";

const R = (n: number, d = 1) => Rational.of(n, d);

/** Independent route: node→step brute force with a brute-force count of injective index maps. */
function bruteWeight(st: DiagramStructure, s: Schedule): Rational {
  const batches = explicitBatches(s);
  const T = batches.length;
  const edge = edgeWeightOf(s);
  return stepAssignmentWeight(
    st,
    T,
    (t) => R(1, batches[t].length),
    edge,
    (steps) => {
      // Allowed indices per class: the intersection of its nodes' batches.
      const allowed: Set<number>[] = Array.from({ length: st.K }, () => new Set(Array.from({ length: s.N }, (_, n) => n)));
      for (let v = 1; v <= st.d; v++) {
        const b = new Set(batches[steps[v]]);
        for (const n of [...allowed[st.cls[v]]]) if (!b.has(n)) allowed[st.cls[v]].delete(n);
      }
      let count = 0;
      const used = new Set<number>();
      const rec = (c: number): void => {
        if (c === st.K) {
          count++;
          return;
        }
        for (const n of allowed[c]) {
          if (used.has(n)) continue;
          used.add(n);
          rec(c + 1);
          used.delete(n);
        }
      };
      rec(0);
      return R(count);
    },
  );
}

/** Independent route for shuffling: average the explicit engine over every per-epoch order. */
function shuffledByEnumeration(st: DiagramStructure, N: number, B: number, E: number): Rational {
  const perms = permutations(N);
  let total = Rational.ZERO;
  let count = 0;
  const rec = (e: number, batches: number[][]): void => {
    if (e === E) {
      const s = customSchedule(N, batches);
      total = total.add(explicitWeight(st, { N, batches, edgeWeight: edgeWeightOf(s) }));
      count++;
      return;
    }
    for (const p of perms) {
      const epoch: number[][] = [];
      for (let j = 0; j < N / B; j++) epoch.push(p.slice(j * B, (j + 1) * B));
      rec(e + 1, [...batches, ...epoch]);
    }
  };
  rec(0, []);
  return total.div(R(count));
}

describe("embedding weights: independent routes agree", () => {
  const schedules: [string, Schedule][] = [
    ["vanilla N=4", sgdSchedule(4)],
    ["batch 2, N=4", sgdSchedule(4, { batch: 2 })],
    ["2 epochs N=3", sgdSchedule(3, { epochs: 2 })],
    ["3 epochs batch 2 N=4", sgdSchedule(4, { batch: 2, epochs: 3 })],
    ["GD N=3 T=3", gdSchedule(3, 3)],
    ["custom overlapping", customSchedule(3, [[0, 1], [1, 2], [0], [0, 1, 2]])],
  ];
  for (const [name, s] of schedules) {
    test(`${name}: pattern/explicit engines vs brute force, orders ≤ 4`, () => {
      for (let d = 0; d <= 4; d++) {
        for (const c of enumerateDiagrams(d, { rootTies: true })) {
          const st = diagramStructure(c.diagram);
          const brute = bruteWeight(st, s);
          expect(embeddingWeight(st, s).toString(), `${c.key}`).toBe(brute.toString());
          const explicit = explicitWeight(st, { N: s.N, batches: explicitBatches(s), edgeWeight: edgeWeightOf(s) });
          expect(explicit.toString(), `${c.key}`).toBe(brute.toString());
        }
      }
    });
  }
  test("momentum and per-step rates: explicit engine vs brute force", () => {
    const s = sgdSchedule(4, { batch: 2, epochs: 2, momentum: R(1, 3), etaScale: [R(1), R(1, 2), R(2), R(3, 2)] });
    for (let d = 0; d <= 3; d++) {
      for (const c of enumerateDiagrams(d, { rootTies: true })) {
        const st = diagramStructure(c.diagram);
        expect(embeddingWeight(st, s).toString(), c.key).toBe(bruteWeight(st, s).toString());
      }
    }
  });
  test("shuffled epochs: pattern engine vs averaging over every order (N=3, E=2; N=4, B=2, E=2)", () => {
    for (const [N, B, E, maxD] of [
      [3, 1, 2, 4],
      [4, 2, 2, 3],
    ]) {
      const s = sgdSchedule(N, { batch: B, epochs: E, shuffle: true });
      for (let d = 0; d <= maxD; d++) {
        for (const c of enumerateDiagrams(d, { rootTies: true })) {
          const st = diagramStructure(c.diagram);
          const expected = shuffledByEnumeration(st, N, B, E);
          expect(embeddingWeight(st, s).toString(), c.key).toBe(expected.toString());
        }
      }
    }
  });
  test("shuffled epochs with momentum: step brute force vs averaging over every order", () => {
    const N = 3;
    const s = sgdSchedule(N, { epochs: 2, shuffle: true, momentum: R(1, 2) });
    for (let d = 0; d <= 3; d++) {
      for (const c of enumerateDiagrams(d, { rootTies: true })) {
        const st = diagramStructure(c.diagram);
        const perms = permutations(N);
        let total = Rational.ZERO;
        for (const p of perms)
          for (const q of perms) {
            const batches = [...p, ...q].map((n) => [n]);
            total = total.add(explicitWeight(st, { N, batches, edgeWeight: edgeWeightOf(s) }));
          }
        expect(embeddingWeight(st, s).toString(), c.key).toBe(total.div(R(perms.length ** 2)).toString());
      }
    }
  });
});

/** Coefficient of the diagram with this canonical key (0 when absent). */
function coef(rows: ReturnType<typeof coefficientTable>, key: string): Rational {
  const r = rows.find((x) => x.key === key);
  return r === undefined ? Rational.ZERO : Rational.parse(r.coefficient);
}

const C = (T: number, k: number) => {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (T - i)) / (i + 1);
  return r;
};

describe("closed forms (docs/theory.md#closed-forms, docs/theory.md#batch-size-and-gdc, #epochs-and-shuffling)", () => {
  test("vanilla SGD test loss through order 3, T = 1..7", () => {
    for (let T = 1; T <= 7; T++) {
      const rows = coefficientTable(sgdSchedule(T), 3, "test");
      const k = (key: string) => coef(rows, `v1:${key}`);
      expect(k("(.)")).toEqual(R(1));
      expect(k("(.(.))")).toEqual(R(-T));
      // GHG: chain + cherry = T(T−1); M2:H = T/2.
      expect(k("(.(.(.)))").add(k("(.(.)(.))"))).toEqual(R(T * (T - 1)));
      expect(k("(.(A)(A))")).toEqual(R(T, 2));
      // Order 3: −C(T,3)(4 GHHG + 2 J[G,G,G]) − C(T,2)((3/2)J[M2,G] + tr(M2HH) + H:K:G) − (T/6) J:M3.
      expect(k("(.(.(.(.))))").add(k("(.(.(.))(.))"))).toEqual(R(-4 * C(T, 3)));
      expect(k("(.(.(.)(.)))").add(k("(.(.)(.)(.))"))).toEqual(R(-2 * C(T, 3)));
      expect(k("(.(.(A)(A)))").add(k("(.(.)(A)(A))"))).toEqual(R(-3 * C(T, 2), 2));
      expect(k("(.(.(A))(A))")).toEqual(R(-C(T, 2)));
      expect(k("(.(A(.))(A))")).toEqual(R(-C(T, 2)));
      expect(k("(.(A)(A)(A))")).toEqual(R(-T, 6));
      // Nothing else survives for vanilla SGD.
      if (T >= 3) expect(rows.length).toBe(14);
    }
  });

  test("crossing-symmetry groups of order 3 have the paper's counts 4, 2; 2, 2, 3; 1", () => {
    // Histories, not classes: |coefficient|·|Aut| / C(T,k) per value group, as in the paper's Table 1.
    const T = 6;
    const rows = coefficientTable(sgdSchedule(T), 3, "test").filter((r) => r.order === 3);
    const histories = (keys: string[], k: number) =>
      keys.reduce((s, key) => s.add(coef(rows, `v1:${key}`).abs()), Rational.ZERO).div(R(C(T, k)));
    expect(histories(["(.(.(.(.))))", "(.(.(.))(.))"], 3)).toEqual(R(4));
    expect(histories(["(.(.(.)(.)))", "(.(.)(.)(.))"], 3)).toEqual(R(2));
    expect(histories(["(.(.(A)(A)))", "(.(.)(A)(A))"], 2).mul(R(2))).toEqual(R(3));
    expect(histories(["(.(.(A))(A))"], 2).mul(R(2))).toEqual(R(2));
    expect(histories(["(.(A(.))(A))"], 2).mul(R(2))).toEqual(R(2));
    expect(histories(["(.(A)(A)(A))"], 1).mul(R(6))).toEqual(R(1));
  });

  test("batch/epoch formula at order 2 (docs/theory.md#batch-size-and-gdc), several N, B, M", () => {
    for (const [n, B, M] of [
      [4, 1, 1],
      [4, 2, 1],
      [4, 2, 3],
      [6, 3, 2],
      [6, 1, 3],
      [5, 5, 4],
    ]) {
      const Nb = n / B;
      const T = M * Nb;
      const s = B === n ? gdSchedule(n, M) : sgdSchedule(n, { batch: B, epochs: M });
      const rows = coefficientTable(s, 2, "test");
      const k = (key: string) => coef(rows, `v1:${key}`);
      const CH = R(Nb * M * M, 2 * B); // coefficient of C:H
      const GtrC = R(Nb * M * (M - 1), 4 * B); // coefficient of G·∇trC
      // Values: GHG (chain, cherry), M2:H (tied cherry), GKG = G·E[H_x g_x] (tied chain);
      // C:H = M2:H − GHG and G·∇trC = 2(GKG − GHG).
      expect(k("(.(A)(A))")).toEqual(CH);
      expect(k("(.(A(A)))")).toEqual(GtrC.mul(R(2)));
      expect(k("(.(.(.)))").add(k("(.(.)(.))"))).toEqual(R(T * (2 * T - 1), 2).sub(CH).sub(GtrC.mul(R(2))));
      expect(k("(.(.))")).toEqual(R(-T));
    }
  });

  test("GD minus SGD at equal steps: (M(N−1)/4)·G·∇trC (docs/theory.md#batch-size-and-gdc)", () => {
    for (const [N, M] of [
      [3, 1],
      [4, 2],
      [5, 3],
    ]) {
      const sgd = coefficientTable(sgdSchedule(N, { epochs: M }), 2, "test");
      const gd = coefficientTable(gdSchedule(N, M * N), 2, "test");
      const diff = (key: string) => coef(gd, `v1:${key}`).sub(coef(sgd, `v1:${key}`));
      // (M(N−1)/4)·2(GKG − GHG): tied chain gains M(N−1)/2, the GHG diagrams lose it.
      expect(diff("(.(A(A)))")).toEqual(R(M * (N - 1), 2));
      expect(diff("(.(.(.)))").add(diff("(.(.)(.))"))).toEqual(R(-M * (N - 1), 2));
      expect(diff("(.(A)(A))")).toEqual(R(0));
    }
  });

  test("M epochs at η/M vs one epoch at η: (N(M−1)/(2M))·[GHG + ½G·∇trC] (corrected form, §C)", () => {
    const N = 5;
    const one = coefficientTable(sgdSchedule(N), 2, "test");
    for (const M of [2, 3, 5, 8]) {
      const many = coefficientTable(sgdSchedule(N, { epochs: M }), 2, "test");
      const scale = R(1, M * M); // η² → (η/M)²
      const diff = (key: string) => coef(many, `v1:${key}`).mul(scale).sub(coef(one, `v1:${key}`));
      // GHG + ½G·∇trC = GKG: only the tied chain changes.
      expect(diff("(.(A(A)))")).toEqual(R(N * (M - 1), 2 * M));
      expect(diff("(.(.(.)))").add(diff("(.(.)(.))"))).toEqual(R(0));
      expect(diff("(.(A)(A))")).toEqual(R(0));
      expect(coef(many, "v1:(.(.))").mul(R(1, M))).toEqual(coef(one, "v1:(.(.))"));
    }
  });

  test("generalization gap at order 1 for one epoch: η·tr C (Roberts 2018)", () => {
    const N = 7;
    const test = coefficientTable(sgdSchedule(N), 1, "test");
    const train = coefficientTable(sgdSchedule(N), 1, "train");
    // test − train at order 1: coefficient of G·G and of tr M2 (= E[g_x·g_x], root tied).
    const gg = coef(test, "v1:(.(.))").sub(coef(train, "v1:(.(.))"));
    const trM2 = coef(test, "v1:(R(R))").sub(coef(train, "v1:(R(R))"));
    // η tr C = η(tr M2 − G·G).
    expect(trM2).toEqual(R(1));
    expect(gg).toEqual(R(-1));
  });

  test("momentum leading order: −ηG·G·Σ_{Δ=1}^{T} w(Δ)", () => {
    const beta = R(9, 10);
    const T = 6;
    const rows = coefficientTable(sgdSchedule(T, { momentum: beta }), 1, "test");
    let sum = Rational.ZERO;
    for (let delta = 1; delta <= T; delta++) sum = sum.add(Rational.ONE.sub(beta.pow(delta)).div(Rational.ONE.sub(beta)));
    expect(coef(rows, "v1:(.(.))")).toEqual(sum.neg());
  });

  test("coefficients are zero for a tied root with the test loss", () => {
    expect(() => diagramCoefficient(enumerateDiagrams(1, { rootTies: true }).find((c) => c.diagram.ties.length > 0)!.diagram, sgdSchedule(3), "test")).toThrow(
      /untied at the root/,
    );
  });

  test("T of the families", () => {
    expect(stepCount(sgdSchedule(6, { batch: 2, epochs: 3 }))).toBe(9);
    expect(stepCount(gdSchedule(6, 4))).toBe(4);
  });
});

describe("one-epoch pruning", () => {
  test("skipping tied ancestors drops only zero coefficients", () => {
    for (const s of [sgdSchedule(5), sgdSchedule(6, { batch: 2 }), customSchedule(3, [[0], [1, 2]])]) {
      for (const loss of ["test", "train"] as const) {
        const full = coefficientTable(s, 4, loss, { includeZero: true }).filter((r) => r.coefficient !== "0");
        const pruned = coefficientTable(s, 4, loss);
        expect(pruned.map((r) => `${r.key}=${r.coefficient}`)).toEqual(full.map((r) => `${r.key}=${r.coefficient}`));
      }
    }
  });
});
