/**
 * sgd-diagrams: the space-time (Feynman-diagram) calculus of SGD.
 *
 * The public API of the full library: the exact engine (re-exported whole from
 * `./engine.js`, which is also the `sgd-diagrams/engine` entry), landscapes, estimators,
 * predictors and simulators. Nothing outside this file and `engine.ts` is public.
 */
export * from "./engine.js";
export { UsageError, MissingPackageError } from "./errors.js";
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
} from "./experiments/mainJob.js";
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
export { REAL_DATA_EXPERIMENTS } from "./experiments/realDataExperiments.js";
export { kendallTau } from "./experiments/modelSelection.js";
