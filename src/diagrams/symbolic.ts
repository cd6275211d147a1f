import type { BinomialPoly } from "../algebra/binomialPoly.js";
import { binomialPoly, Polynomial, type PolynomialTerm } from "../algebra/polynomial.js";
import { factorial, Rational } from "../algebra/rational.js";
import { automorphismCount } from "./canonical.js";
import type { LossKind } from "./coefficient.js";
import type { Diagram } from "./diagram.js";
import { epochCount, fixedOrderPatterns, singleEpochCounts } from "./rules/sgdFamily.js";
import type { Schedule } from "../schedule/schedule.js";
import { diagramStructure, type DiagramStructure } from "./structure.js";

/** The variables of a symbolic coefficient and what they stand for. */
export type SymbolicVariables = Readonly<Record<string, string>>;

/**
 * Which polynomial form a schedule's coefficients have, or `null` when they are not
 * polynomials in its parameters (momentum, per-step rates, custom batches, shuffling over
 * several epochs — those coefficients are still exact, just not given symbolically):
 * - vanilla SGD (batch 1, one epoch): a polynomial in `T` (= N);
 * - SGD with batches/epochs: a polynomial in `N`, `E` and `invB` = 1/B (and `invN` = 1/N
 *   for the train loss);
 * - GD: a polynomial in `T` and `invN` = 1/N.
 */
export function symbolicForm(s: Schedule): { kind: "vanilla" | "sgd" | "gd"; variables: SymbolicVariables } | null {
  if (s.momentum !== undefined || s.etaScale !== undefined || s.kind === "custom") return null;
  if (s.kind === "gd") return { kind: "gd", variables: { T: "steps", invN: "1/N" } };
  if (s.shuffle && s.epochs > 1) return null;
  if (s.batch === 1 && s.epochs === 1) return { kind: "vanilla", variables: { T: "steps = N" } };
  return { kind: "sgd", variables: { N: "training points", E: "epochs", invB: "1/B", invN: "1/N (train loss)" } };
}

/** The values at which a symbolic coefficient reproduces the schedule's concrete one. */
export function symbolicValues(s: Schedule): Record<string, Rational> {
  if (s.kind === "gd") return { T: Rational.int(s.T), invN: Rational.of(1, s.N) };
  if (s.kind === "sgd") {
    return { T: Rational.int(s.N), N: Rational.int(s.N), E: Rational.int(s.epochs), invB: Rational.of(1, s.batch), invN: Rational.of(1, s.N) };
  }
  return {};
}

/**
 * A diagram's coefficient as a polynomial in the schedule family's parameters (see
 * {@link symbolicForm}), or `null` when the family has none. Evaluating it at
 * {@link symbolicValues} gives {@link diagramCoefficient}; tests check that.
 */
export function diagramPolynomial(diagram: Diagram, s: Schedule, loss: LossKind): Polynomial | null {
  if (symbolicForm(s) === null) return null;
  return structurePolynomial(diagramStructure(diagram), automorphismCount(diagram), s, loss);
}

/** {@link diagramPolynomial} from a diagram's structure and `|Aut(D)|` (see `structureCoefficient`). */
export function structurePolynomial(st: DiagramStructure, automorphisms: bigint, s: Schedule, loss: LossKind): Polynomial | null {
  const form = symbolicForm(s);
  if (form === null) return null;
  let W: Polynomial;
  let root: Polynomial;
  const one = Polynomial.ONE;
  switch (form.kind) {
    case "vanilla": {
      return vanillaPolynomial(singleEpochCounts(st, 1), st, automorphisms, loss);
    }
    case "gd": {
      const invN = Polynomial.variable("invN");
      W = binomialToPolynomial(epochCount(st, ~0), Polynomial.variable("T")).mul(inverseFalling(invN, st.K, st.d));
      root = trainRoot(st, loss, invN);
      break;
    }
    case "sgd": {
      const invB = Polynomial.variable("invB");
      const invN = Polynomial.variable("invN");
      const Nb = Polynomial.variable("N").mul(invB);
      const E = Polynomial.variable("E");
      W = Polynomial.ZERO;
      for (const t of fixedOrderPatterns(st)) {
        let w = binomialPoly(Nb, t.blocks).mul(binomialToPolynomial(t.epochCount, E));
        for (const m of t.sizes) w = w.mul(inverseFalling(invB, m, m));
        W = W.add(w);
      }
      W = W.mul(invB.pow(st.d - st.K));
      root = trainRoot(st, loss, invN);
      break;
    }
  }
  const sign = st.d % 2 === 0 ? Rational.ONE : Rational.MINUS_ONE;
  const p = W.mul(root).scale(sign.div(Rational.int(automorphisms)));
  return cancelInverse(p, "N", "invN");
}

/**
 * `(−1)^d/|Aut|·Σ_a counts[a]·term_a(T)` ({@link vanillaTerm}) summed on integers: every
 * `term_a·a!` has integer coefficients, so all terms go over the common denominator
 * `(max a)!` and only the final coefficients are reduced (one gcd per power of `T`, instead
 * of a rational polynomial per term).
 */
function vanillaPolynomial(counts: readonly bigint[], st: DiagramStructure, automorphisms: bigint, loss: LossKind): Polynomial {
  // The polynomial depends on these alone, and many diagrams of a table share them
  // (polynomials are immutable, so one object serves them all).
  const key = `${loss}|${st.rootTied}|${st.K}|${st.d % 2}|${automorphisms}|${counts.join(",")}`;
  let p = vanillaPolynomials.get(key);
  if (p === undefined) {
    if (vanillaPolynomials.size >= 100_000) vanillaPolynomials.clear(); // bounded memory
    vanillaPolynomials.set(key, (p = vanillaPolynomialOf(counts, st, automorphisms, loss)));
  }
  return p;
}

const vanillaPolynomials = new Map<string, Polynomial>();

function vanillaPolynomialOf(counts: readonly bigint[], st: DiagramStructure, automorphisms: bigint, loss: LossKind): Polynomial {
  let top = 0;
  counts.forEach((c, a) => {
    if (c !== 0n) top = a;
  });
  const L = factorial(top);
  const acc: bigint[] = [];
  counts.forEach((count, a) => {
    if (count === 0n) return;
    const nums = vanillaIntegerTerm(loss, a, st.rootTied, st.K);
    const mult = count * (L / factorial(a));
    nums.forEach((x, k) => (acc[k] = (acc[k] ?? 0n) + mult * x));
  });
  const sign = st.d % 2 === 0 ? 1n : -1n;
  const terms: PolynomialTerm[] = [];
  acc.forEach((x, k) => {
    if (x !== undefined && x !== 0n) terms.push({ coef: Rational.of(sign * x, L * automorphisms), powers: { T: k } });
  });
  return Polynomial.fromTerms(terms);
}

/** The coefficients of `a!·term_a(T)` in powers of `T` (integers; memoised). */
function vanillaIntegerTerm(loss: LossKind, a: number, rootTied: boolean, K: number): bigint[] {
  const key = `${loss}|${a}|${rootTied}|${K}`;
  let nums = vanillaIntegerTerms.get(key);
  if (nums === undefined) {
    const f = factorial(a);
    nums = vanillaTerm(loss, a, rootTied, K)
      .coefficientsIn("T")
      .map((c) => {
        const r = c.isZero() ? Rational.ZERO : c.constantValue();
        if (f % r.den !== 0n) throw new Error(`vanillaIntegerTerm: a!·C(T, ${a}) has a non-integer coefficient ${r.toString()}`);
        return r.num * (f / r.den);
      });
    vanillaIntegerTerms.set(key, nums);
  }
  return nums;
}

const vanillaIntegerTerms = new Map<string, bigint[]>();

/**
 * The polynomial in `T` that multiplies the count of `a`-block patterns for vanilla SGD:
 * `C(T, a)` for the test loss; for the train loss `C(T, a)` divided by `T` exactly
 * (`C(T, a)/T = C(T−1, a−1)/a`) and times the untied root's `T − K` (memoised: a table
 * needs only a few distinct ones).
 */
function vanillaTerm(loss: LossKind, a: number, rootTied: boolean, K: number): Polynomial {
  const key = `${loss}|${a}|${rootTied}|${K}`;
  let term = vanillaTerms.get(key);
  if (term === undefined) {
    const T = Polynomial.variable("T");
    const one = Polynomial.ONE;
    if (loss === "test") term = binomialPoly(T, a);
    else if (a === 0) term = rootTied ? Polynomial.ZERO : one;
    else {
      const base = binomialPoly(T.sub(one), a - 1).scale(Rational.of(1, a));
      term = rootTied ? base : base.mul(T.sub(Polynomial.constant(K)));
    }
    vanillaTerms.set(key, term);
  }
  return term;
}

const vanillaTerms = new Map<string, Polynomial>();

/** `fall(X, k)/X^d` written in `inv = 1/X`: `inv^{d−k}·Π_{i<k}(1 − i·inv)`. */
function inverseFalling(inv: Polynomial, k: number, d: number): Polynomial {
  let p = inv.pow(d - k);
  for (let i = 1; i < k; i++) p = p.mul(Polynomial.ONE.sub(inv.scale(Rational.int(i))));
  return p;
}

function trainRoot(st: DiagramStructure, loss: LossKind, invN: Polynomial): Polynomial {
  if (loss === "test") return Polynomial.ONE;
  return st.rootTied ? invN : Polynomial.ONE.sub(invN.scale(Rational.int(st.K)));
}

/** `Σ_k a_k C(x, k)` as a polynomial in `x`. */
function binomialToPolynomial(b: BinomialPoly, x: Polynomial): Polynomial {
  let p = Polynomial.ZERO;
  b.coeffs.forEach((a, k) => {
    if (a !== 0n) p = p.add(binomialPoly(x, k).scale(Rational.int(a)));
  });
  return p;
}

/** Replaces `x^p·inv^q` by `x^{p−m}·inv^{q−m}`, `m = min(p, q)` (since `x·inv = 1`). */
function cancelInverse(p: Polynomial, x: string, inv: string): Polynomial {
  return Polynomial.fromTerms(
    p.terms().map((t) => {
      const m = Math.min(t.powers[x] ?? 0, t.powers[inv] ?? 0);
      if (m === 0) return t;
      return { coef: t.coef, powers: { ...t.powers, [x]: (t.powers[x] ?? 0) - m, [inv]: (t.powers[inv] ?? 0) - m } };
    }),
  );
}
