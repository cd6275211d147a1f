/**
 * The resummed correction of vanilla SGD's untied chains (the one implementation, used by the
 * main job and the figures): the order-`order` polynomial of the test loss after `T` steps
 * turned into the sum of every untied chain, `G_S·[f(H) − p(H)]·G_D` with
 * `f(h) = −(1 − (1 − ηh)^T)/h` and `p` its truncation at `order` (already in the polynomial).
 *
 * @module
 */
import type { Estimate } from "../stats/estimate.js";

/** Gauss quadrature of `G_S·f(H)·G_D` (polarised: nodes of `G_S ± G_D`), one per independent half. */
export interface ChainQuadrature {
  readonly halves: readonly { readonly plus: { nodes: number[]; weights: number[] }; readonly minus: { nodes: number[]; weights: number[] } }[];
}

/**
 * `h ↦ f(h) − p(h) = Σ_{d > order} (−η)^d C(T, d) h^{d−1}`: summed term by term where `T|ηh|`
 * is small (the closed form would cancel), in closed form elsewhere.
 */
export function chainTail(eta: number, T: number, order: number): (h: number) => number {
  const binom = (d: number) => {
    let r = 1;
    for (let i = 0; i < d; i++) r = (r * (T - i)) / (i + 1);
    return r;
  };
  const p = (h: number) => {
    let acc = 0;
    for (let d = 1; d <= order; d++) acc += (-eta) ** d * binom(d) * h ** (d - 1);
    return acc;
  };
  return (h: number) => {
    if (T * Math.abs(eta * h) < 0.5) {
      let acc = 0;
      for (let d = order + 1; d <= Math.min(T, order + 80); d++) acc += (-eta) ** d * binom(d) * h ** (d - 1);
      return acc;
    }
    return ((1 - eta * h) ** T - 1) / h - p(h);
  };
}

/** Mean and error bar of two independent halves of an estimate. */
export function fromHalves(a: number, b: number): Estimate {
  return { value: (a + b) / 2, stderr: Math.abs(a - b) / 2, n: 2 };
}

/** The correction at every η from the polarised quadrature `q` ({@link chainTail} at its nodes). */
export function resummedCorrection(q: ChainQuadrature, T: number, etas: readonly number[], order: number): Estimate[] {
  return etas.map((eta) => {
    const f = chainTail(eta, T, order);
    const val = (n: { nodes: number[]; weights: number[] }) => n.nodes.reduce((s, x, j) => s + n.weights[j] * f(x), 0);
    const halves = q.halves.map((h) => (val(h.plus) - val(h.minus)) / 4);
    return fromHalves(halves[0], halves[1]);
  });
}
