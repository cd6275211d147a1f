import { Rng } from "../stats/rng.js";
import { Rational } from "../algebra/rational.js";
import { InvalidArgumentError, UsageError, requireInt } from "../errors.js";

/**
 * One term `coef · Π_i θ_i^{powers[i]}` of a polynomial loss.
 * `powers.length` is the landscape's `dim`.
 */
export interface Monomial {
  readonly coef: Rational;
  readonly powers: readonly number[];
}

/**
 * An exact polynomial loss family on a finite population with uniform weights
 * (docs/theory.md#setting, #verification): datum `x` (an index into `population`) has the loss
 * `l_x(θ) = Σ_{m ∈ population[x]} m.coef · Π_i θ_i^{m.powers[i]}`, and training starts at
 * `theta0`. Every derivative of every order is exact, which makes these landscapes the
 * reference on which the diagram sum is checked against direct perturbation.
 */
export interface PolynomialLandscape {
  readonly dim: number;
  readonly theta0: readonly Rational[];
  readonly population: readonly (readonly Monomial[])[];
}

/** Largest `dim` accepted from files and generators (the oracle's loops are dense in `dim`). */
const MAX_DIM = 1000;
/** Largest exponent accepted per coordinate (keeps exact powers of rationals small). */
const MAX_POWER = 64;
const KNOWN_TOP_FIELDS = ["kind", "dim", "theta0", "population", "description"];
const KNOWN_MONOMIAL_FIELDS = ["coef", "powers"];

/**
 * Reads a polynomial landscape from parsed JSON.
 *
 * Format:
 * `{ "kind": "polynomial", "dim": 2, "theta0": [0.5, -0.25],
 *    "population": [ [ {"coef": 1.5, "powers": [2, 0]}, … ], … ] }`
 * (an optional `"description"` string is allowed). Numbers are read as exact decimals
 * (`0.1` is `1/10`, via {@link Rational.parseDecimal} of their shortest printed form);
 * strings such as `"1/3"` or `"0.25"` are accepted wherever a number is.
 *
 * @param json - the value returned by `JSON.parse`.
 * @param source - the name shown at the start of error messages (e.g. the file name).
 * @defaultValue source `"landscape"`
 * @throws UsageError with a one-line message naming the field path and the problem, e.g.
 *   `landscape.json: population[1][0].powers must be a list of 2 non-negative integers, got [1]`.
 * @example
 * ```ts
 * const l = parsePolynomialLandscape({ kind: "polynomial", dim: 1, theta0: [1],
 *   population: [[{ coef: 0.5, powers: [2] }]] });
 * lossAt(l.population[0], l.theta0).toString(); // "1/2"
 * ```
 */
export function parsePolynomialLandscape(json: unknown, source = "landscape"): PolynomialLandscape {
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new UsageError(`${source}: ${path} must be ${expected}, got ${describeJson(got)}`);
  };
  if (!isPlainObject(json)) return fail("the landscape", "a JSON object", json);
  for (const key of Object.keys(json)) {
    if (!KNOWN_TOP_FIELDS.includes(key)) {
      throw new UsageError(`${source}: "${key}" is not a known field (expected ${KNOWN_TOP_FIELDS.join(", ")})`);
    }
  }
  if (json.kind !== "polynomial") fail("kind", '"polynomial"', json.kind);
  if (json.description !== undefined && typeof json.description !== "string") {
    fail("description", "a string", json.description);
  }
  const dim = json.dim;
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) {
    return fail("dim", `an integer in [1, ${MAX_DIM}]`, dim);
  }
  const readNumber = (x: unknown, path: string): Rational => {
    const expected = 'a number or a string like "1/3" or "0.25"';
    if (typeof x === "number" && !Number.isFinite(x)) return fail(path, expected, x);
    if (typeof x !== "number" && typeof x !== "string") return fail(path, expected, x);
    try {
      return Rational.parseDecimal(String(x));
    } catch {
      return fail(path, expected, x);
    }
  };
  const theta0 = json.theta0;
  if (!Array.isArray(theta0) || theta0.length !== dim) return fail("theta0", `a list of ${dim} numbers`, theta0);
  const theta = theta0.map((x, i) => readNumber(x, `theta0[${i}]`));

  const population = json.population;
  if (!Array.isArray(population) || population.length === 0) {
    return fail("population", "a non-empty list of data (each a list of monomials)", population);
  }
  const data = population.map((datum, x) => {
    if (!Array.isArray(datum)) return fail(`population[${x}]`, "a list of monomials", datum);
    return datum.map((term, j): Monomial => {
      const path = `population[${x}][${j}]`;
      if (!isPlainObject(term)) return fail(path, 'an object {"coef": …, "powers": […]}', term);
      for (const key of Object.keys(term)) {
        if (!KNOWN_MONOMIAL_FIELDS.includes(key)) {
          throw new UsageError(`${source}: ${path}."${key}" is not a known field (expected coef, powers)`);
        }
      }
      const coef = readNumber(term.coef, `${path}.coef`);
      const powers = term.powers;
      if (
        !Array.isArray(powers) ||
        powers.length !== dim ||
        !powers.every((p) => typeof p === "number" && Number.isInteger(p) && p >= 0)
      ) {
        return fail(`${path}.powers`, `a list of ${dim} non-negative integers`, powers);
      }
      if (powers.some((p: number) => p > MAX_POWER)) {
        return fail(`${path}.powers`, `a list of exponents at most ${MAX_POWER}`, powers);
      }
      return freezeMonomial(coef, powers as number[]);
    });
  });
  return freezeLandscape(dim, theta, data);
}

/**
 * The JSON form read by {@link parsePolynomialLandscape}, with exact `"p/q"` strings for
 * every number (so `parse(toJson(l))` reproduces `l` exactly).
 */
export function polynomialLandscapeToJson(landscape: PolynomialLandscape): {
  kind: "polynomial";
  dim: number;
  theta0: string[];
  population: { coef: string; powers: number[] }[][];
} {
  return {
    kind: "polynomial",
    dim: landscape.dim,
    theta0: landscape.theta0.map(String),
    population: landscape.population.map((d) => d.map((m) => ({ coef: m.coef.toString(), powers: [...m.powers] }))),
  };
}

/** Options of {@link randomPolynomialLandscape}; every field is optional. */
export interface RandomPolynomialLandscapeOptions {
  /** Number of weights `P`. @defaultValue 2 */
  dim?: number;
  /** Number of data `M` in the population. @defaultValue 3 */
  populationSize?: number;
  /** Largest total degree of a monomial (each term has degree in `[1, maxDegree]`). @defaultValue 3 */
  maxDegree?: number;
  /** Number of monomials per datum. @defaultValue 3 */
  termsPerDatum?: number;
  /** Seed of the generator (src/stats/rng.ts). @defaultValue 0 */
  seed?: number;
}

/** Coefficients are drawn from here so that exact arithmetic stays small and readable. */
const COEFFICIENTS = [1, -1, 2, -2, 3, -3, [1, 2], [-1, 2], [3, 2], [-3, 2], [1, 3], [-2, 3]] as const;
const START_VALUES = [1, -1, [1, 2], [-1, 2], [1, 3], [-2, 3], [3, 2], 0] as const;

/**
 * A seeded random polynomial landscape with small-integer and simple-fraction coefficients
 * (for tests and examples). The same options always give the same landscape.
 *
 * @throws InvalidArgumentError when an option is out of range.
 * @example
 * ```ts
 * const l = randomPolynomialLandscape({ dim: 2, populationSize: 3, maxDegree: 3, seed: 7 });
 * l.population.length; // 3
 * ```
 */
export function randomPolynomialLandscape(options: RandomPolynomialLandscapeOptions = {}): PolynomialLandscape {
  const where = "randomPolynomialLandscape";
  const dim = requireInt(options.dim ?? 2, where, "dim", 1, 64);
  const size = requireInt(options.populationSize ?? 3, where, "populationSize", 1, 10_000);
  const maxDegree = requireInt(options.maxDegree ?? 3, where, "maxDegree", 1, 16);
  const terms = requireInt(options.termsPerDatum ?? 3, where, "termsPerDatum", 0, 1000);
  const seed = requireInt(options.seed ?? 0, where, "seed", 0, 2 ** 32 - 1);
  const rand = uniformStream(seed);
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rand() * xs.length)];
  const toRational = (c: number | readonly [number, number]): Rational =>
    typeof c === "number" ? Rational.int(c) : Rational.of(c[0], c[1]);

  const theta0 = Array.from({ length: dim }, () => toRational(pick(START_VALUES)));
  const population = Array.from({ length: size }, () =>
    Array.from({ length: terms }, () => {
      const degree = 1 + Math.floor(rand() * maxDegree);
      const powers = new Array<number>(dim).fill(0);
      for (let u = 0; u < degree; u++) powers[Math.floor(rand() * dim)]++;
      return freezeMonomial(toRational(pick(COEFFICIENTS)), powers);
    }),
  );
  return freezeLandscape(dim, theta0, population);
}

/**
 * The population-mean loss `l̄ = (1/M) Σ_x l_x` as one polynomial (like terms merged).
 * By linearity of differentiation, `E_x ∇^k l_x = ∇^k l̄`, so a datum that is drawn
 * independently of everything else may be replaced by this "mean datum".
 */
export function meanLoss(landscape: PolynomialLandscape): Monomial[] {
  const weight = Rational.of(1, landscape.population.length);
  return mergeTerms(landscape.population.flatMap((d) => d.map((m) => ({ coef: m.coef.mul(weight), powers: m.powers }))));
}

/**
 * `l_x(θ)` for the datum polynomial `datum` (a list of monomials).
 * @throws InvalidArgumentError when a monomial's `powers` length differs from `theta.length`.
 */
export function lossAt(datum: readonly Monomial[], theta: readonly Rational[]): Rational {
  checkDims(datum, theta, "lossAt");
  return evaluate(datum, theta);
}

/**
 * `∇l_x(θ)` (a vector of length `theta.length`), by exact symbolic differentiation.
 * @throws InvalidArgumentError when a monomial's `powers` length differs from `theta.length`.
 */
export function gradientAt(datum: readonly Monomial[], theta: readonly Rational[]): Rational[] {
  return contractDerivative(datum, theta, []);
}

/**
 * `∇^{k+1} l_x(θ)[v_1, …, v_k, ·]`: the `(k+1)`-th derivative tensor contracted with `k`
 * vectors in its first `k` slots, leaving a vector (docs/theory.md#estimators: a node with children
 * vectors `v_1..v_k`). With `k = 0` it is the gradient.
 *
 * ## Method
 * `∇^k l[v_1..v_k] = D_{v_k} ⋯ D_{v_1} l` where `D_v = Σ_i v_i ∂_i` is applied symbolically
 * to the monomials (`∂_i θ_i^p = p θ_i^{p-1}`), so no `P^k` tensor is ever formed; the
 * remaining free slot is the gradient of that polynomial, evaluated exactly at `θ`.
 *
 * @throws InvalidArgumentError when a vector or monomial has the wrong length.
 */
export function contractDerivative(
  datum: readonly Monomial[],
  theta: readonly Rational[],
  vectors: readonly (readonly Rational[])[],
): Rational[] {
  const where = "contractDerivative";
  const reduced = directionalDerivatives(datum, theta, vectors, where);
  return theta.map((_, i) => evaluate(partialDerivative(reduced, i), theta));
}

/**
 * `∇^k l_x(θ)[v_1, …, v_k]` (a scalar): the `k`-th derivative tensor contracted in every
 * slot (docs/theory.md#estimators: the root with children vectors `v_1..v_k`). With `k = 0` it is `l_x(θ)`.
 * @throws InvalidArgumentError when a vector or monomial has the wrong length.
 */
export function contractDerivativeScalar(
  datum: readonly Monomial[],
  theta: readonly Rational[],
  vectors: readonly (readonly Rational[])[],
): Rational {
  return evaluate(directionalDerivatives(datum, theta, vectors, "contractDerivativeScalar"), theta);
}

/**
 * `∂_i` of a polynomial, like terms merged. Exported for the direct-perturbation oracle,
 * which differentiates once symbolically and then evaluates on series-valued weights.
 */
export function partialDerivative(terms: readonly Monomial[], i: number): Monomial[] {
  const out: Monomial[] = [];
  for (const m of terms) {
    const p = m.powers[i];
    if (p === 0 || m.coef.isZero()) continue;
    const powers = [...m.powers];
    powers[i] = p - 1;
    out.push({ coef: m.coef.mul(Rational.int(p)), powers });
  }
  return mergeTerms(out);
}

function directionalDerivatives(
  datum: readonly Monomial[],
  theta: readonly Rational[],
  vectors: readonly (readonly Rational[])[],
  where: string,
): Monomial[] {
  checkDims(datum, theta, where);
  vectors.forEach((v, r) => {
    if (v.length !== theta.length) {
      throw new InvalidArgumentError(where, `vectors[${r}]`, `a vector of length ${theta.length}`, v.length);
    }
  });
  let poly = mergeTerms(datum);
  for (const v of vectors) {
    // D_v p = Σ_i v_i ∂_i p
    const next: Monomial[] = [];
    v.forEach((vi, i) => {
      if (vi.isZero()) return;
      for (const m of partialDerivative(poly, i)) next.push({ coef: m.coef.mul(vi), powers: m.powers });
    });
    poly = mergeTerms(next);
  }
  return poly;
}

function evaluate(terms: readonly Monomial[], theta: readonly Rational[]): Rational {
  const cache: Rational[][] = theta.map((t) => [Rational.ONE, t]);
  const power = (i: number, p: number): Rational => {
    const c = cache[i];
    while (c.length <= p) c.push(c[c.length - 1].mul(theta[i]));
    return c[p];
  };
  let sum = Rational.ZERO;
  for (const m of terms) {
    let term = m.coef;
    for (let i = 0; i < m.powers.length && !term.isZero(); i++) if (m.powers[i] > 0) term = term.mul(power(i, m.powers[i]));
    sum = sum.add(term);
  }
  return sum;
}

/** Sums like terms and drops zeros, so repeated differentiation does not blow up. */
function mergeTerms(terms: readonly Monomial[]): Monomial[] {
  const byKey = new Map<string, Monomial>();
  for (const m of terms) {
    const key = m.powers.join(",");
    const old = byKey.get(key);
    byKey.set(key, old === undefined ? m : { coef: old.coef.add(m.coef), powers: old.powers });
  }
  return [...byKey.values()].filter((m) => !m.coef.isZero());
}

function checkDims(datum: readonly Monomial[], theta: readonly Rational[], where: string): void {
  datum.forEach((m, j) => {
    if (m.powers.length !== theta.length) {
      throw new InvalidArgumentError(where, `datum[${j}].powers`, `of length ${theta.length} (the length of theta)`, m.powers.length);
    }
  });
}

function freezeMonomial(coef: Rational, powers: readonly number[]): Monomial {
  return Object.freeze({ coef, powers: Object.freeze([...powers]) });
}

function freezeLandscape(dim: number, theta0: readonly Rational[], population: readonly (readonly Monomial[])[]): PolynomialLandscape {
  return Object.freeze({
    dim,
    theta0: Object.freeze([...theta0]),
    population: Object.freeze(population.map((d) => Object.freeze([...d]))),
  });
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Short JSON-ish rendering of an offending value for one-line messages. */
function describeJson(x: unknown): string {
  if (x === undefined) return "nothing";
  let s: string;
  try {
    s = typeof x === "number" && !Number.isFinite(x) ? String(x) : (JSON.stringify(x) ?? String(x));
  } catch {
    s = String(x);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Uniform draws in [0, 1) from the project's seeded generator (src/stats/rng.ts). */
function uniformStream(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.uniform();
}
