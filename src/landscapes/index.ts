/**
 * Loss families. Exact polynomial landscapes on finite populations, and the
 * direct-perturbation oracle that checks the diagram engine on them (docs/theory.md#verification).
 */
export {
  type Monomial,
  type PolynomialLandscape,
  type RandomPolynomialLandscapeOptions,
  contractDerivative,
  contractDerivativeScalar,
  gradientAt,
  lossAt,
  meanLoss,
  parsePolynomialLandscape,
  partialDerivative,
  polynomialLandscapeToJson,
  randomPolynomialLandscape,
} from "./polynomialLandscape.js";
export {
  type MeasuredLoss,
  type PerturbationOptions,
  perturbationSeries,
  perturbationSeriesExact,
  perturbationSeriesFloat,
} from "./directPerturbation.js";
export { type SeriesField, type TruncatedSeries, float64Field, rationalField } from "./truncatedSeries.js";
