/**
 * The real-data experiments (issue 6: figures 2, 4, 6–10, 14), in report order.
 *
 * @module
 */
import { epochsExperiment, shufflingExperiment } from "./epochsExperiment.js";
import type { Experiment } from "./experiment.js";
import { gdcExperiment } from "./gdcExperiment.js";
import { longCurvesExperiment } from "./longCurves.js";
import { gapVsEtaExperiment, testVsEtaExperiment } from "./lossVsEtaReal.js";
import { modelSelectionExperiment } from "./modelSelection.js";
import { invHessExperiment, momentumExperiment } from "./momentumExperiment.js";

export const REAL_DATA_EXPERIMENTS: readonly Experiment[] = [
  testVsEtaExperiment,
  gapVsEtaExperiment,
  gdcExperiment,
  epochsExperiment,
  shufflingExperiment,
  momentumExperiment,
  invHessExperiment,
  modelSelectionExperiment,
  longCurvesExperiment,
];
