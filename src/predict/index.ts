/** Predictions: diagram coefficients × diagram values on a landscape. */
export { exactDiagramValue } from "./exactValue.js";
export { exactSeries, type ExactSeriesResult, type SeriesTerm } from "./exactSeries.js";
export {
  odeFit,
  odeFitWithUncertainty,
  type OdeFit,
  type OdeFitBandPoint,
  type OdeFitForm,
  type OdeFitOptions,
  type OdeFitUncertainty,
} from "./odeFit.js";
export { resummedFirstOrder, resummedNoise, resummedSkewness, entropicDrift } from "./resummation.js";
export { gdOverfitting, type GdOverfittingResult } from "./overfitting.js";
export {
  propagatorIntegral,
  propagatorSum,
  combinedDecay,
  nestedPropagatorIntegral,
  nestedPropagatorSum,
  type PropagatorKind,
  type ResummationOptions,
} from "./propagator.js";
export { symmetricEigen, MAX_SYMMETRIC_EIGEN_DIMENSION, type SymmetricEigenResult } from "./symmetricEigen.js";
export type { VectorInput, MatrixInput, Tensor3Input } from "./eigenbasis.js";
export { quadratureSeries, type QuadratureSeriesResult, MAX_TENSOR_DIM } from "./quadratureSeries.js";
export { sampleDiagramValues, seriesFromValues, evaluateSeries, type EstimatedSeries, type SeriesSpec, type EstimationSetup } from "./estimateSeries.js";
export { sampleDiagramValuesReplicated, type ReplicatedOptions } from "./replicatedValues.js";
export { chainMomentSamples, resummedChainTail } from "./chainResummation.js";
export { oneDimSeries, type OneDimDerivatives, type OneDimSeriesResult, type XPolynomial } from "./oneDimSeries.js";
export { cubicChiModel, gaussFitModel, quadraticModel, type OneDimModel } from "./oneDimModels.js";
