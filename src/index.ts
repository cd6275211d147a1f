/**
 * sgd-diagrams: the space-time (Feynman-diagram) calculus of SGD.
 *
 * The public API: exact algebra, the diagram engine (enumeration, canonical forms,
 * coefficients for every schedule) and, as they land, landscapes, estimators, predictors
 * and simulators. Nothing outside this file is public.
 */
export { Rational, binomial, fallingFactorial, factorial } from "./algebra/rational.js";
export {
  InvalidArgumentError,
  UsageError,
  DivisionByZeroError,
  InsufficientSamplesError,
  BudgetExceededError,
  InternalError,
} from "./errors.js";
export * from "./diagrams/index.js";
export { Polynomial, Series } from "./algebra/index.js";
export * from "./schedule/schedule.js";
export {
  parsePolynomialLandscape,
  randomPolynomialLandscape,
  polynomialLandscapeToJson,
  perturbationSeriesExact,
  perturbationSeriesFloat,
  type PolynomialLandscape,
  type Monomial,
} from "./landscapes/index.js";
export * from "./predict/index.js";
export { builtinLandscape, BUILTIN_LANDSCAPES, type Landscape } from "./landscapes/builtin.js";
export { loadDataset, type ImageDataset, DATASETS, type DatasetName } from "./landscapes/datasets.js";
export { LogisticModel } from "./landscapes/logistic.js";
export type { DerivativeOracle } from "./landscapes/derivativeOracle.js";
export {
  defaultMainJobConfig,
  setupModel,
  predictMainJob,
  simulateMainJob,
  compareMainJob,
  type MainJobConfig,
} from "./mainJob/mainJob.js";
export {
  gdcBeta,
  gdcRegularizerGradient,
  gdcSampleCovarianceGradient,
  gdcDirection,
  gdcExtraGradient,
  gdcExtraGradientFromSamples,
  type GdcExtraOptions,
  type CovarianceEstimator,
} from "./simulate/gdc.js";
export { hessianPreconditionedStep, type HessianStepOptions } from "./simulate/hessianUpdate.js";
export {
  type Optimizer,
  sgdOptimizer,
  gdcOptimizer,
  hessianOptimizer,
  odeOptimizer,
  sdeOptimizer,
  sdeNoiseFactor,
  continuousTimeStep,
  DEFAULT_SUBSTEPS,
  optimizerLabel,
  trainWithOptimizer,
  type TrainOptions,
} from "./simulate/optimizers.js";
export { LogisticOptimizerTrainer } from "./simulate/logisticOptimizers.js";
export { LogisticSparseTrainer } from "./simulate/logisticSparse.js";
export { sampleDiagramValuesReplicated } from "./predict/replicatedValues.js";
export { REAL_DATA_EXPERIMENTS } from "./figures/realDataExperiments.js";
export { kendallTau } from "./figures/modelSelection.js";
