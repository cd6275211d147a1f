/**
 * ODE and SDE versions of the order-3 closed form of vanilla SGD (docs/theory.md#closed-forms,
 * docs/theory.md#continuous-time) for one-dimensional landscapes, from exact moments.
 *
 * - SGD: `l − ηT G² + η²(2C(T,2) GHG + (T/2) M2 H) − η³(C(T,3)(4GH²G + 2JG³)
 *   + C(T,2)((3/2)J M2 G + M2 H² + H K G) + (T/6) J M3)`;
 * - SDE (matches the covariance, not discretization or skewness): `C(T,k) → T^k/k!` and `M3`
 *   replaced by its Gaussian value `3 M2 G − 2G³`;
 * - ODE (gradient flow): only the untied diagrams, with `C(T,k) → T^k/k!`.
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { normalExpectation, type OneDimDerivatives, type XPolynomial } from "./oneDimSeries.js";

function multiply(a: XPolynomial, b: XPolynomial): Rational[] {
  if (a.length === 0 || b.length === 0) return [];
  const out = Array.from({ length: a.length + b.length - 1 }, () => Rational.ZERO);
  a.forEach((x, i) => b.forEach((y, j) => (out[i + j] = out[i + j].add(x.mul(y)))));
  return out;
}

/** The raw moments the order-3 closed form needs, exact. */
export interface ClosedFormMoments {
  readonly l: Rational;
  readonly G: Rational;
  readonly H: Rational;
  readonly J: Rational;
  /** `E[g²]`. */
  readonly M2: Rational;
  /** `E[g³]`. */
  readonly M3: Rational;
  /** `E[g·∂²l]`. */
  readonly K: Rational;
}

/** {@link ClosedFormMoments} of a one-dimensional landscape at `θ0`. */
export function closedFormMoments(model: OneDimDerivatives): ClosedFormMoments {
  const g = model.node(1);
  const h = model.node(2);
  return {
    l: model.root(0),
    G: normalExpectation(g),
    H: normalExpectation(h),
    J: normalExpectation(model.node(3)),
    M2: normalExpectation(multiply(g, g)),
    M3: normalExpectation(multiply(multiply(g, g), g)),
    K: normalExpectation(multiply(g, h)),
  };
}

/** Which dynamics the closed form describes. */
export type Dynamics = "sgd" | "sde" | "ode";

/**
 * The coefficients `[c0, c1, c2, c3]` of `E[l(θ_T)] = Σ c_d η^d + O(η⁴)` for vanilla SGD over
 * `T` steps, its SDE, or its ODE (see the module comment), exact.
 */
export function closedFormSeries(m: ClosedFormMoments, T: number, dynamics: Dynamics): Rational[] {
  const t = Rational.int(T);
  const choose2 = dynamics === "sgd" ? Rational.of(T * (T - 1), 2) : t.mul(t).div(Rational.int(2));
  const choose3 = dynamics === "sgd" ? Rational.of(T * (T - 1) * (T - 2), 6) : t.mul(t).mul(t).div(Rational.int(6));
  const { G, H, J, M2, K } = m;
  const two = Rational.int(2);
  const three = Rational.int(3);
  const noise = dynamics !== "ode";
  const M3 = dynamics === "sgd" ? m.M3 : three.mul(M2).mul(G).sub(two.mul(G.pow(3)));
  const c1 = t.mul(G).mul(G).neg();
  let c2 = two.mul(choose2).mul(G).mul(H).mul(G);
  if (noise) c2 = c2.add(t.div(two).mul(M2).mul(H));
  let c3 = choose3.mul(Rational.int(4).mul(G).mul(H).mul(H).mul(G).add(two.mul(J).mul(G.pow(3))));
  if (noise) {
    c3 = c3.add(choose2.mul(Rational.of(3, 2).mul(J).mul(M2).mul(G).add(M2.mul(H).mul(H)).add(H.mul(K).mul(G))));
    c3 = c3.add(t.div(Rational.int(6)).mul(J).mul(M3));
  }
  return [m.l, c1, c2, c3.neg()];
}
