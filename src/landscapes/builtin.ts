/**
 * The `Landscape` contract (a loss family plus its data distribution) and the built-in
 * landscapes of docs/theory.md#thermodynamic-engine, #cubic-chi, #gauss-fit, #mean-estimation: `helix`, `cubic-chi`, `gauss-fit`, `mean-estimation`.
 *
 * Losses are jax-js functions built with the ops re-exported by `src/numerics`; nothing here
 * imports `@jax-js/jax` directly.
 *
 * @module
 */
import { InvalidArgumentError, requireFinite } from "../errors.js";
import {
  constant,
  dataMatrix,
  gaussHermite,
  np,
  toRng,
  type DataMatrix,
  type JaxArray,
  type LossFunction,
  type Rng,
} from "../numerics/index.js";

/** Data drawn i.i.d. from a distribution `D` on demand. */
export interface Sampler {
  readonly kind: "sampler";
  /**
   * `n` i.i.d. data points as the rows of a `n × dataDim` matrix. A number seeds a fresh
   * generator (same seed, same data); a generator is advanced, so successive calls with one
   * `Rng` give independent batches.
   */
  sample(n: number, seedOrRng: number | Rng): DataMatrix;
}

/**
 * A finite distribution: row `i` of `data` has probability `weights[i]` (`Σ weights = 1`), so
 * every expectation is the weighted sum `E f(x) = Σ_i w_i f(x_i)` (docs/theory.md#exact-mode).
 */
export interface Population {
  readonly kind: "population";
  readonly data: DataMatrix;
  readonly weights: Float64Array;
  /**
   * When the population stands in for a continuous distribution by quadrature: the weighted
   * sums equal the true expectation for every polynomial in `x` of at most this degree.
   * Absent for a genuinely finite population (where all expectations are exact).
   */
  readonly exactDegree?: number;
}

/** Where the data of a landscape come from. */
export type DataSource = Sampler | Population;

/**
 * A loss family `l_x(θ)`, `θ ∈ R^P`, with its data distribution `D` (docs/theory.md#setting).
 *
 * - `loss(θ, x)` is a jax-js {@link LossFunction}: `θ` has shape `[dim]`, `x` shape
 *   `[dataDim]`, the result is rank 0; it consumes both arguments (see `src/numerics/jax.ts`
 *   for the ownership rules). Built-in losses write literals that are inexact in float32 with
 *   `constant()`, so they give the same numbers eagerly and under `jit`.
 * - `theta0(seed)` is the initial weight; deterministic landscapes ignore the seed.
 * - `data` is a sampler or a finite population.
 * - `quadrature`, when present, is a finite population whose weighted sums reproduce `D`'s
 *   expectations of every polynomial in `x` up to `quadrature.exactDegree` (Gauss–Hermite for
 *   standard normal data). All built-ins are polynomial in `x`, so moments such as `G`, `H`,
 *   `C`, `S`, `J` of docs/theory.md#setting are exact sums over it.
 * - `exactTestLoss(θ)`, when present, is `E_{x~D} l_x(θ)` in closed form (the test loss).
 */
export interface Landscape {
  readonly name: string;
  /** One line for listings and plots. */
  readonly description: string;
  /** Number of weights `P`. */
  readonly dim: number;
  /** Number of features of one datum `D`. */
  readonly dataDim: number;
  /** The parameters this instance was built with (for provenance in experiment rows). */
  readonly params: Readonly<Record<string, number>>;
  theta0(seed?: number): Float64Array;
  readonly loss: LossFunction;
  readonly data: DataSource;
  readonly quadrature?: Population;
  exactTestLoss?(theta: ArrayLike<number>): number;
}

/** Number of Gauss–Hermite nodes of the built-ins' quadrature (exact to degree 31 in `x`). */
export const BUILTIN_QUADRATURE_NODES = 16;

/** `x ~ N(0, 1)`, one feature per datum, drawn in float64 (Box–Muller, `src/stats/rng.ts`). */
export function standardNormalSampler(): Sampler {
  return {
    kind: "sampler",
    sample(n: number, seedOrRng: number | Rng): DataMatrix {
      if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) {
        throw new InvalidArgumentError("Sampler.sample", "n", "an integer in [0, 2^31 - 1]", n);
      }
      return dataMatrix(toRng(seedOrRng).normals(n), 1);
    },
  };
}

/**
 * The `m`-point Gauss–Hermite population for `x ~ N(0, 1)`: exact for polynomials in `x` of
 * degree `≤ 2m − 1`.
 *
 * @throws InvalidArgumentError unless `m` is an integer in `[1, 100]`.
 */
export function standardNormalQuadrature(m: number = BUILTIN_QUADRATURE_NODES): Population {
  const rule = gaussHermite(m);
  return { kind: "population", data: dataMatrix(rule.nodes, 1), weights: rule.weights, exactDegree: rule.exactDegree };
}

function zeros(dim: number): (seed?: number) => Float64Array {
  return () => new Float64Array(dim);
}

function requireTheta(theta: ArrayLike<number>, dim: number, where: string): void {
  if (theta === null || typeof theta !== "object" || theta.length !== dim) {
    throw new InvalidArgumentError(where, "theta", `a vector of length ${dim}`, theta);
  }
}

/**
 * Gaussian fit (docs/theory.md#gauss-fit, the "distinguishing landscape"): fit `N(0, σ²)` to
 * standard normal data with `h = log σ²`,
 * `l_x(h) = ½(h + x² e^{−h}) − ½`, test loss `(h + e^{−h} − 1)/2`, init `h = 0`.
 *
 * At `h = 0`: `G = 0`, `H = ½`, `J = −½`, `C = M2 = ½`, `S = −1`.
 * On the wasm device `e^{−h}` is only float32-accurate (see `src/numerics/jax.ts`).
 */
export function gaussFit(): Landscape {
  const loss: LossFunction = (theta, x) => {
    const h = theta.sum();
    const xx = x.ref.mul(x).sum();
    return h.ref.add(xx.mul(np.exp(h.neg()))).mul(0.5).sub(0.5);
  };
  return {
    name: "gauss-fit",
    description: "fit N(0, e^h) to N(0,1) data: l_x(h) = (h + x² e^{-h})/2 - 1/2",
    dim: 1,
    dataDim: 1,
    params: {},
    theta0: zeros(1),
    loss,
    data: standardNormalSampler(),
    quadrature: standardNormalQuadrature(),
    exactTestLoss(theta) {
      requireTheta(theta, 1, "gauss-fit.exactTestLoss");
      const h = theta[0];
      return (h + Math.exp(-h) - 1) / 2;
    },
  };
}

/**
 * Non-Gaussian noise (docs/theory.md#cubic-chi): `l_x(w) = w³ − w(x² − 1)`, `x ~ N(0, 1)`,
 * test loss `w³`, init `w = 0`.
 *
 * At `w = 0`: `G = 0`, `C = 2`, `S = −8`, `H = 0`, `J = 6`; only the skewness diagram survives,
 * `E l(θ_T) = −(T/6)η³ J·S = 8Tη³ + O(η⁴)`.
 */
export function cubicChi(): Landscape {
  const loss: LossFunction = (theta, x) => {
    const w = theta.sum();
    const chi = x.ref.mul(x).sum().sub(1);
    return w.ref.mul(w.ref).mul(w.ref).sub(w.mul(chi));
  };
  return {
    name: "cubic-chi",
    description: "skewed gradient noise: l_x(w) = w³ - w(x² - 1)",
    dim: 1,
    dataDim: 1,
    params: {},
    theta0: zeros(1),
    loss,
    data: standardNormalSampler(),
    quadrature: standardNormalQuadrature(),
    exactTestLoss(theta) {
      requireTheta(theta, 1, "cubic-chi.exactTestLoss");
      return theta[0] ** 3;
    },
  };
}

/** Options of {@link helix}. */
export interface HelixOptions {
  /**
   * Tilt `α` of the added term `α·z` (docs/theory.md#thermodynamic-engine: with small `α > 0` SGD climbs forever).
   * @defaultValue 0
   */
  readonly alpha?: number;
}

/**
 * The thermodynamic engine (docs/theory.md#thermodynamic-engine): `θ = (u, v, z)`, `x ~ N(0, 1)`,
 * `l_x(θ) = ½[u² + v² + (cos z·u + sin z·v)²] + x·(cos(z−π/4)·u + sin(z−π/4)·v) + α·z`,
 * init `u = v = z = 0`. The valley `u = v = 0` is a line of minima of the mean loss; the noise
 * axis lags the stiff Hessian axis by π/4 and both rotate with `z`.
 *
 * At `θ = 0` (α = 0): `G = 0`; `H = diag(2, 1, 0)`; `C = ½[[1, −1, 0], [−1, 1, 0], [0, 0, 0]]`;
 * the only non-zero entries of `J` are `J_{uvz}` and its permutations, equal to 1.
 *
 * The noise direction uses `cos(z−π/4) = (cos z + sin z)/√2` and
 * `sin(z−π/4) = (sin z − cos z)/√2`, with `1/√2` as a dtype-exact constant.
 *
 * @throws InvalidArgumentError if `alpha` is not finite.
 */
export function helix(options: HelixOptions = {}): Landscape {
  const alpha = requireFinite(options.alpha ?? 0, "helix", "alpha");
  const loss: LossFunction = (theta, x) => {
    const u = theta.ref.slice(0);
    const v = theta.ref.slice(1);
    const z = theta.slice(2);
    const c = np.cos(z.ref);
    const s = np.sin(z.ref);
    const stiff = c.ref.mul(u.ref).add(s.ref.mul(v.ref));
    const curvature = u.ref.mul(u.ref).add(v.ref.mul(v.ref)).add(stiff.ref.mul(stiff)).mul(0.5);
    const invSqrt2 = constant(c, Math.SQRT1_2);
    const noiseDir = c.ref.add(s.ref).mul(u).add(s.sub(c).mul(v)).mul(invSqrt2);
    const withNoise = curvature.add(noiseDir.mul(x.sum()));
    if (alpha === 0) {
      z.dispose();
      return withNoise;
    }
    return withNoise.add(z.mul(constant(withNoise, alpha)));
  };
  return {
    name: "helix",
    description: "screw-symmetric valley where SGD circulates: noise axis lags the Hessian axis by π/4",
    dim: 3,
    dataDim: 1,
    params: { alpha },
    theta0: zeros(3),
    loss,
    data: standardNormalSampler(),
    quadrature: standardNormalQuadrature(),
    exactTestLoss(theta) {
      requireTheta(theta, 3, "helix.exactTestLoss");
      const [u, v, z] = [theta[0], theta[1], theta[2]];
      const stiff = Math.cos(z) * u + Math.sin(z) * v;
      return 0.5 * (u * u + v * v + stiff * stiff) + alpha * z;
    },
  };
}

/** Options of {@link meanEstimation}. */
export interface MeanEstimationOptions {
  /** Curvature `H`. @defaultValue 1 */
  readonly H?: number;
  /** Noise scale `S` (gradient noise variance `S²`). @defaultValue 10 (`S² = 100`, as in §K) */
  readonly S?: number;
  /** l2 coefficient `λ ≥ 0`. @defaultValue 0 */
  readonly lambda?: number;
  /** Initial weight. @defaultValue 0 (the minimum of the test loss) */
  readonly theta0?: number;
}

/**
 * The mean-estimation family (docs/theory.md#mean-estimation): 1-D `θ`, `x ~ N(0, 1)`,
 * `l_x(θ) = ½Hθ² + xSθ + ½λθ²`.
 *
 * Moments at `θ`: `G = (H+λ)θ`, Hessian `H+λ`, `C = S²`, `J = 0`, `S_3 = 0` (Gaussian noise).
 * `exactTestLoss(θ) = E l_x(θ) = ½(H+λ)θ²` includes the `λ` term, so that it is the expectation
 * of the same loss the calculus expands; the unregularised test loss is `½Hθ²`.
 *
 * @throws InvalidArgumentError for non-finite parameters or `λ < 0`.
 */
export function meanEstimation(options: MeanEstimationOptions = {}): Landscape {
  const H = requireFinite(options.H ?? 1, "meanEstimation", "H");
  const S = requireFinite(options.S ?? 10, "meanEstimation", "S");
  const lambda = requireFinite(options.lambda ?? 0, "meanEstimation", "lambda", 0);
  const start = requireFinite(options.theta0 ?? 0, "meanEstimation", "theta0");
  const curvature = H + lambda;
  const loss: LossFunction = (theta, x) => {
    const t = theta.sum();
    const quadratic = t.ref.mul(t.ref).mul(constant(t, curvature / 2));
    const noise: JaxArray = x.sum().mul(constant(t, S)).mul(t);
    return quadratic.add(noise);
  };
  return {
    name: "mean-estimation",
    description: "l_x(θ) = Hθ²/2 + xSθ + λθ²/2, x ~ N(0,1)",
    dim: 1,
    dataDim: 1,
    params: { H, S, lambda, theta0: start },
    theta0: () => new Float64Array([start]),
    loss,
    data: standardNormalSampler(),
    quadrature: standardNormalQuadrature(),
    exactTestLoss(theta) {
      requireTheta(theta, 1, "mean-estimation.exactTestLoss");
      return 0.5 * curvature * theta[0] ** 2;
    },
  };
}

/** Constructors of the built-in landscapes by name. */
export const BUILTIN_LANDSCAPES = Object.freeze({
  "gauss-fit": () => gaussFit(),
  "cubic-chi": () => cubicChi(),
  helix: (params: HelixOptions = {}) => helix(params),
  "mean-estimation": (params: MeanEstimationOptions = {}) => meanEstimation(params),
});

/** Name of a built-in landscape. */
export type BuiltinLandscapeName = keyof typeof BUILTIN_LANDSCAPES;

/**
 * A built-in landscape by name, with optional numeric parameters (`helix`: `alpha`;
 * `mean-estimation`: `H`, `S`, `lambda`, `theta0`).
 *
 * @throws InvalidArgumentError for an unknown name or parameter.
 *
 * @example
 * ```ts
 * builtinLandscape("mean-estimation", { H: 0.5, S: 10 }).dim; // 1
 * ```
 */
export function builtinLandscape(name: string, params: Readonly<Record<string, number>> = {}): Landscape {
  const known: Record<string, readonly string[]> = {
    "gauss-fit": [],
    "cubic-chi": [],
    helix: ["alpha"],
    "mean-estimation": ["H", "S", "lambda", "theta0"],
  };
  const allowed = Object.prototype.hasOwnProperty.call(known, name) ? known[name] : undefined;
  if (allowed === undefined) {
    throw new InvalidArgumentError("builtinLandscape", "name", `one of ${Object.keys(known).join(", ")}`, name);
  }
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      const expected = allowed.length === 0 ? "absent (no parameters)" : `one of ${allowed.join(", ")}`;
      throw new InvalidArgumentError("builtinLandscape", `parameter of ${name}`, expected, key);
    }
  }
  switch (name as BuiltinLandscapeName) {
    case "helix":
      return helix(params);
    case "mean-estimation":
      return meanEstimation(params);
    case "gauss-fit":
      return gaussFit();
    case "cubic-chi":
      return cubicChi();
  }
}
