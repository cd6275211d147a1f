/**
 * The prediction view's 1-D landscapes (data `x ~ N(0, 1)`): the library's hand-coded models
 * (exact derivative polynomials for the engine's series, float gradients for SGD), wrapped as
 * a {@link DerivativeOracle} so that the library's own trainer runs them.
 *
 * @module
 */
import { Rational } from "../../src/algebra/rational.js";
import { cubicChiModel, gaussFitModel, type OneDimModel, quadraticModel } from "../../src/predict/oneDimModels.js";
import type { DerivativeOracle } from "../../src/landscapes/derivativeOracle.js";
import type { LandscapeName } from "./state.js";

export interface OneDimLandscape {
  readonly model: OneDimModel;
  /** One line for the page. */
  readonly formula: string;
}

/** The landscapes with an exact in-page series. */
export type OneDimLandscapeName = Exclude<LandscapeName, "mnist-logistic">;

export function oneDimLandscape(name: OneDimLandscapeName): OneDimLandscape {
  switch (name) {
    case "noisy-quadratic":
      // ½θ² + xθ from θ0 = 1: the loss decays at rate η while gradient noise of variance 1 heats it.
      return { model: quadraticModel(Rational.ONE, Rational.ONE, Rational.ONE), formula: "l_x(θ) = θ²/2 + xθ, θ₀ = 1; test loss θ²/2" };
    case "cubic-chi":
      return { model: cubicChiModel(), formula: "l_x(w) = w³ − w(x² − 1), w₀ = 0; test loss w³" };
    case "gauss-fit":
      return { model: gaussFitModel(), formula: "l_x(h) = (h + x²e^−h)/2 − 1/2, h₀ = 0; test loss (h + e^−h − 1)/2" };
  }
}

/** A datum is its feature `x`; `TEST` (NaN) stands for the whole distribution: the exact test loss. */
export const TEST = Number.NaN;

/** The model as the library's oracle (loss and gradient only: plain SGD needs no more). */
export function oneDimOracle(model: OneDimModel): DerivativeOracle<number> {
  return {
    dim: 1,
    directionalDerivative(theta, x, directions) {
      if (directions.length !== 0) throw new Error("oneDimOracle: only the loss (k = 0) is available");
      return Number.isNaN(x) ? model.testLoss(theta[0]) : model.loss(theta[0], x);
    },
    directionalGradient(theta, x, directions) {
      if (directions.length !== 0) throw new Error("oneDimOracle: only the gradient (k = 0) is available");
      return Float64Array.of(model.gradient(theta[0], x));
    },
  };
}
