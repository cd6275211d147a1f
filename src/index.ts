/**
 * sgd-diagrams: the space-time (Feynman-diagram) calculus of SGD.
 *
 * The public API of the full library: the exact engine (re-exported whole from
 * `./engine.js`, which is also the `sgd-diagrams/engine` entry), landscapes, estimators,
 * predictors and simulators. Nothing outside this file and `engine.ts` is public.
 */
/// <reference lib="esnext.float16" preserve="true" />
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
export { LogisticModel, logisticData, type ClassificationData } from "./landscapes/logistic.js";
// Your own model and data (docs/own-model.md).
export {
  defineModel,
  type ModelDefinition,
  type ModelLoss,
  type ModelTools,
  type InitContext,
  type ParamTree,
  type ParamTensor,
  type ParamLayout,
  type ParamLeaf,
  type Skeleton,
} from "./landscapes/modelDefinition.js";
export { createModel, DefinedModel, type ModelOptions } from "./landscapes/definedModel.js";
export type { DatumTable } from "./landscapes/datumTable.js";
export type { BatchLossFunction } from "./landscapes/imageModelTypes.js";
export { initNumerics, type NumericsPolicy, type NumericDType, type NumericDevice, type OwnedFunction, type Transcendentals } from "./numerics/index.js";
export { trainMany, BatchedTrainer, type BatchTrainable, type TrainManyOptions } from "./simulate/batchedTrainer.js";
export { readDataset, readTestDataset, type DataFileOptions } from "./data/read.js";
export type { TabularData, DataTask, FeatureStandardization } from "./data/types.js";
export { loadUserData, loadUserModel, type UserDataRef, type UserModelRef } from "./harness/userInputs.js";
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

// Types that the functions above take or return (test/packaging.test.ts checks that none is
// missing).
export type { Estimate } from "./stats/estimate.js";
export type { Quantity } from "./harness/controlVariates.js";
export { Rng } from "./stats/rng.js";
export type { Judgement, VerdictCheck, VerdictStatus } from "./harness/verdict.js";
export type { Shard } from "./harness/shard.js";
export type { LossFunction } from "./numerics/directional.js";
export type { JaxArray } from "./numerics/jax.js";
export type { DataMatrix } from "./numerics/dataMatrix.js";
export type { DataSource, HelixOptions, MeanEstimationOptions, Population, Sampler } from "./landscapes/builtin.js";
export type { LogisticPointOracle } from "./landscapes/logistic.js";
export type { MeasuredLoss, PerturbationOptions, RandomPolynomialLandscapeOptions } from "./landscapes/index.js";
export { LogisticKernelTrainer } from "./simulate/logisticKernel.js";
export { batchedTrainer, kernelTrainer, logisticOptimizerTrainer, oracleTrainer, scheduleTrainer, sparseTrainer, type Trainer } from "./simulate/trainer.js";
export type { RunResult } from "./simulate/runResult.js";
export type { Experiment, ExperimentContext, ExperimentPlot, ExperimentResult } from "./harness/experiment.js";
export { MODELS } from "./mainJob/mainJob.js";
export type {
  BatchedRuns,
  ComparisonResult,
  MeasuredQuantity,
  ModelName,
  ModelSetup,
  PredictionResult,
  PredictionRow,
  RunSpec,
  SimulateMainJobOptions,
  SimulationResult,
  SimulationRow,
} from "./mainJob/mainJob.js";

// jax-js's declarations (reachable from ours through `Landscape`'s loss) name `Float16Array`
// and WebGPU's `GPUDevice`/`GPUBuffer` without referencing where they are defined, so a
// consumer compiling without `skipLibCheck` would fail on them. The reference to the
// `esnext.float16` lib at the top supplies the first; the two empty interfaces below make the
// WebGPU names opaque (nothing here uses WebGPU) and merge harmlessly with the full
// definitions in a program that has them (lib "dom" or @webgpu/types).
declare global {
  interface GPUDevice {}
  interface GPUBuffer {}
}
